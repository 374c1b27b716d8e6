/**
 * DCNv1's deformable position-sensitive RoI pooling on webgpu
 * (docs/semantics.md §5): the forward and the offset gradient are gathers
 * (one thread per output element), the input gradient a scatter (one thread
 * per `dy` entry `(r, ph, pw, ct)`, adding its share into its input channel
 * of `dx` with float atomics).
 */
import type {PSRoIPoolInfo} from '../../shape/roi_pool';
import {samplerPWgsl} from './clamped_sampler_wgsl';
import {ATOMIC_ADD_WGSL, FlatProgram, flatProgram, THREAD_GUARD_WGSL} from './program_util';
import {psBinWgsl} from './roi_bin_wgsl';
import {wgslFloat} from './sampler_z_wgsl';

/** Entries of the output (and `dy`) `[R, ph, pw, outputDim]`. */
export function psRoiPoolEntries(info: PSRoIPoolInfo): number {
  return info.rois * info.pooledHeight * info.pooledWidth * info.outputDim;
}

/** `vec4<i32> entryOf(index)`: `(r, ph, pw, ct)` of an output entry. */
function entryOfWgsl(info: PSRoIPoolInfo): string {
  const {pooledHeight: binsH, pooledWidth: binsW, outputDim} = info;
  return `
    fn entryOf(index : i32) -> vec4<i32> {
      return vec4<i32>(index / ${binsH * binsW * outputDim},
                       (index / ${binsW * outputDim}) % ${binsH},
                       (index / ${outputDim}) % ${binsW}, index % ${outputDim});
    }
  `;
}

/** The pooled `[R, ph, pw, outputDim]`: the average of the accepted samples (0 when none). */
export function deformPsRoiPoolProgram(info: PSRoIPoolInfo): FlatProgram {
  const samples = info.samplesPerPart;
  return flatProgram({
    name: 'deform_ps_roi_pool',
    constants: info,
    variableNames: ['x', 'rois', 'offset'],
    outputShape: [info.rois, info.pooledHeight, info.pooledWidth, info.outputDim],
    threads: psRoiPoolEntries(info),
    userCode: `
      ${samplerPWgsl(info, true)}
      ${psBinWgsl(info)}
      ${entryOfWgsl(info)}

      fn main(index : i32) {
        ${THREAD_GUARD_WGSL}
        let e = entryOf(index);
        let b = psBin(e.x, e.y, e.z, e.w);
        var sum = 0.0;
        var count = 0;
        for (var ih = 0; ih < ${samples}; ih++) {
          for (var iw = 0; iw < ${samples}; iw++) {
            let p = psPoint(b, ih, iw);
            let s = locateP(b.n, p.x, p.y);
            if (s.inside) {
              sum += clampedValue(s, clampedCorners(s, b.channel));
              count++;
            }
          }
        }
        result[index] = select(0.0, sum / f32(max(count, 1)), count > 0);
      }
    `,
  });
}

/**
 * The offset gradient `[R, partH, partW, 2 classes]`: entry `(r, cellH,
 * cellW, 2 cls + axis)` sums, over the bins of that part cell, the output
 * channels of class `cls` and their accepted samples, `dy / count` times
 * sampler P's derivative, times `transStd` and the RoI's extent on that axis.
 */
export function deformPsRoiPoolOffsetGradProgram(info: PSRoIPoolInfo): FlatProgram {
  const {pooledHeight: binsH, pooledWidth: binsW, partHeight, partWidth, outputDim} = info;
  const samples = info.samplesPerPart;
  const perClass = outputDim / info.classes;
  const axes = 2 * info.classes;
  return flatProgram({
    name: 'deform_ps_roi_pool_offset_grad',
    constants: info,
    variableNames: ['x', 'rois', 'offset', 'dy'],
    outputShape: [info.rois, partHeight, partWidth, axes],
    threads: info.rois * partHeight * partWidth * axes,
    userCode: `
      ${samplerPWgsl(info, true)}
      ${psBinWgsl(info)}

      fn main(index : i32) {
        ${THREAD_GUARD_WGSL}
        let r = index / ${partHeight * partWidth * axes};
        let cell = vec2<i32>((index / ${partWidth * axes}) % ${partHeight},
                             (index / ${axes}) % ${partWidth});
        let axis = index % ${axes};
        let alongX = axis % 2 == 0;
        let firstChannel = (axis / 2) * ${perClass};
        // Scaled per accepted sample, as the reference: no sample, no gradient.
        let roiSize = psRoi(r).size;
        let scale = ${wgslFloat(info.transStd)} * select(roiSize.x, roiSize.y, alongX);
        var sum = 0.0;
        for (var ph = 0; ph < ${binsH}; ph++) {
          for (var pw = 0; pw < ${binsW}; pw++) {
            if (any(partCell(ph, pw) != cell)) {
              continue;
            }
            for (var ct = firstChannel; ct < firstChannel + ${perClass}; ct++) {
              let b = psBin(r, ph, pw, ct);
              // The average's weight 1 / count is known after counting.
              let count = psSampleCount(b);
              if (count == 0) {
                continue;
              }
              let g = f32(dy[((r * ${binsH} + ph) * ${binsW} + pw) * ${outputDim} + ct]) / f32(count);
              for (var ih = 0; ih < ${samples}; ih++) {
                for (var iw = 0; iw < ${samples}; iw++) {
                  let p = psPoint(b, ih, iw);
                  let s = locateP(b.n, p.x, p.y);
                  if (s.inside) {
                    let v = clampedCorners(s, b.channel);
                    sum += scale * g * select(pGradY(s, v), pGradX(s, v), alongX);
                  }
                }
              }
            }
          }
        }
        result[index] = sum;
      }
    `,
  });
}

/**
 * Adds the input gradient into the program's output `dx` `[N, H, W, C]`
 * (atomic, zero-filled by the caller): thread `(r, ph, pw, ct)` scatters
 * `dy / count` with sampler P's weights from each accepted sample into the
 * input channel that `ct` reads in that bin.
 */
export function deformPsRoiPoolScatterProgram(info: PSRoIPoolInfo): FlatProgram {
  const samples = info.samplesPerPart;
  return flatProgram({
    name: 'deform_ps_roi_pool_scatter',
    constants: info,
    variableNames: ['rois', 'offset', 'dy'],
    outputShape: [info.batchSize, info.height, info.width, info.channels],
    threads: psRoiPoolEntries(info),
    atomic: true,
    userCode: `
      ${samplerPWgsl(info, false)}
      ${psBinWgsl(info)}
      ${entryOfWgsl(info)}
      ${ATOMIC_ADD_WGSL}

      fn main(index : i32) {
        ${THREAD_GUARD_WGSL}
        let e = entryOf(index);
        let b = psBin(e.x, e.y, e.z, e.w);
        let count = psSampleCount(b);
        let g = f32(dy[index]) / f32(max(count, 1));
        if (count == 0 || g == 0.0) {
          return;
        }
        for (var ih = 0; ih < ${samples}; ih++) {
          for (var iw = 0; iw < ${samples}; iw++) {
            let p = psPoint(b, ih, iw);
            let s = locateP(b.n, p.x, p.y);
            if (s.inside) {
              for (var corner = 0; corner < 4; corner++) {
                atomicAddFloat(clampedCornerIndex(s, corner) + b.channel,
                               clampedWeight(s, corner) * g);
              }
            }
          }
        }
      }
    `,
  });
}
