/**
 * mmcv DeformRoIPool's compute programs on webgpu (docs/semantics.md §4):
 * the forward and the offset gradient are gathers (one thread per output
 * element), the input gradient a scatter (one thread per `dy` entry `(bin,
 * c)`, adding its share into `dx` with float atomics). A bin's adaptive
 * grid is computed in the shader from the RoI, and only its points that can
 * be inside the map are visited (roi_bin_wgsl.ts).
 */
import type {RoIPoolInfo} from '../../shape/roi_pool';
import {samplerAWgsl} from './clamped_sampler_wgsl';
import {ATOMIC_ADD_WGSL, FlatProgram, flatProgram, THREAD_GUARD_WGSL} from './program_util';
import {roiBinWgsl} from './roi_bin_wgsl';
import {wgslFloat} from './sampler_z_wgsl';

/** Bins of all RoIs. */
export function roiPoolBins(info: RoIPoolInfo): number {
  return info.rois * info.pooledHeight * info.pooledWidth;
}

/** `vec3<i32> binOf(bin)`: `(r, ph, pw)` of a flattened bin index. */
function binOfWgsl(info: RoIPoolInfo): string {
  const {pooledHeight: binsH, pooledWidth: binsW} = info;
  return `
    fn binOf(bin : i32) -> vec3<i32> {
      return vec3<i32>(bin / ${binsH * binsW}, (bin / ${binsW}) % ${binsH}, bin % ${binsW});
    }
  `;
}

/** Channels one forward thread pools: the sample is located once for all of them. */
const CHANNEL_BLOCK = 4;

/**
 * The pooled `[R, ph, pw, C]` values, times `mask` `[R, ph, pw, 1]` when
 * `withMask`: one thread per bin and block of {@link CHANNEL_BLOCK} channels.
 */
export function deformRoiPoolProgram(info: RoIPoolInfo, withMask: boolean): FlatProgram {
  const {channels} = info;
  const blocks = Math.ceil(channels / CHANNEL_BLOCK);
  return flatProgram({
    name: 'deform_roi_pool',
    constants: {...info, withMask},
    variableNames: withMask ? ['x', 'rois', 'offset', 'mask'] : ['x', 'rois', 'offset'],
    outputShape: [info.rois, info.pooledHeight, info.pooledWidth, channels],
    threads: roiPoolBins(info) * blocks,
    userCode: `
      ${samplerAWgsl(info, true)}
      ${roiBinWgsl(info)}
      ${binOfWgsl(info)}

      fn main(index : i32) {
        ${THREAD_GUARD_WGSL}
        let bin = index / ${blocks};
        let first = (index % ${blocks}) * ${CHANNEL_BLOCK};
        let rb = binOf(bin);
        let b = roiBin(rb.x, rb.y, rb.z);
        var sums = array<f32, ${CHANNEL_BLOCK}>();
        for (var iy = 0; iy < b.span.x; iy++) {
          for (var ix = 0; ix < b.span.y; ix++) {
            let p = roiPoint(b, iy, ix);
            let s = locateA(b.n, p.x, p.y);
            if (s.inside) {
              for (var j = 0; j < ${CHANNEL_BLOCK}; j++) {
                let c = min(first + j, ${channels - 1});
                sums[j] += clampedValue(s, clampedCorners(s, c));
              }
            }
          }
        }
        let scale = ${withMask ? 'f32(mask[bin])' : '1.0'} / roiCount(b);
        for (var j = 0; j < ${CHANNEL_BLOCK} && first + j < ${channels}; j++) {
          result[bin * ${channels} + first + j] = sums[j] * scale;
        }
      }
    `,
  });
}

/**
 * The offset gradient `[R, ph, pw, 2]` ((Δx, Δy)): each entry sums, over its
 * bin's accepted samples and all channels, `dy / count` times mmcv's
 * derivative along its axis, times `gamma` and the RoI's extent there.
 */
export function deformRoiPoolOffsetGradProgram(info: RoIPoolInfo): FlatProgram {
  const {channels} = info;
  return flatProgram({
    name: 'deform_roi_pool_offset_grad',
    constants: info,
    variableNames: ['x', 'rois', 'offset', 'dy'],
    outputShape: [info.rois, info.pooledHeight, info.pooledWidth, 2],
    threads: roiPoolBins(info) * 2,
    userCode: `
      ${samplerAWgsl(info, true)}
      ${roiBinWgsl(info)}
      ${binOfWgsl(info)}

      fn main(index : i32) {
        ${THREAD_GUARD_WGSL}
        let alongX = index % 2 == 0;
        let bin = index / 2;
        let rb = binOf(bin);
        let b = roiBin(rb.x, rb.y, rb.z);
        let count = roiCount(b);
        // Scaled per accepted sample, as the reference: no sample, no gradient
        // (even where the RoI's extent is not finite).
        let scale = ${wgslFloat(info.gamma)} * select(b.roiSize.x, b.roiSize.y, alongX);
        var sum = 0.0;
        for (var iy = 0; iy < b.span.x; iy++) {
          for (var ix = 0; ix < b.span.y; ix++) {
            let p = roiPoint(b, iy, ix);
            let s = locateA(b.n, p.x, p.y);
            if (!s.inside) {
              continue;
            }
            var sample = 0.0;
            for (var c = 0; c < ${channels}; c++) {
              let v = clampedCorners(s, c);
              sample += f32(dy[bin * ${channels} + c]) / count * select(aGradY(s, v), aGradX(s, v), alongX);
            }
            sum += scale * sample;
          }
        }
        result[index] = sum;
      }
    `,
  });
}

/**
 * Adds the input gradient into the program's output `dx` `[N, H, W, C]`
 * (atomic, zero-filled by the caller): thread `(bin, c)` scatters `dy /
 * count` with sampler A's weights from each accepted sample of its bin.
 */
export function deformRoiPoolScatterProgram(info: RoIPoolInfo): FlatProgram {
  const {channels} = info;
  return flatProgram({
    name: 'deform_roi_pool_scatter',
    constants: info,
    variableNames: ['rois', 'offset', 'dy'],
    outputShape: [info.batchSize, info.height, info.width, channels],
    threads: roiPoolBins(info) * channels,
    atomic: true,
    userCode: `
      ${samplerAWgsl(info, false)}
      ${roiBinWgsl(info)}
      ${binOfWgsl(info)}
      ${ATOMIC_ADD_WGSL}

      fn main(index : i32) {
        ${THREAD_GUARD_WGSL}
        let c = index % ${channels};
        let rb = binOf(index / ${channels});
        let b = roiBin(rb.x, rb.y, rb.z);
        let g = f32(dy[index]) / roiCount(b);
        if (g == 0.0) {
          return;
        }
        for (var iy = 0; iy < b.span.x; iy++) {
          for (var ix = 0; ix < b.span.y; ix++) {
            let p = roiPoint(b, iy, ix);
            let s = locateA(b.n, p.x, p.y);
            if (s.inside) {
              for (var corner = 0; corner < 4; corner++) {
                atomicAddFloat(clampedCornerIndex(s, corner) + c, clampedWeight(s, corner) * g);
              }
            }
          }
        }
      }
    `,
  });
}
