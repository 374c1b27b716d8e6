/**
 * The DCNv1/v2 sampling passes' compute programs on webgpu: im2col and the
 * offset/mask gradients are gathers, the input gradient a scatter (float
 * atomics into `dx`); im2col and the scatter run one thread per sample,
 * which locates it once and loops over its offset group's channels. Columns are laid out `[G, rowCount, K C/G]`
 * (deform_conv_sampling.ts).
 */
import type {DeformConvInfo} from '../../shape/deform_conv';
import {ATOMIC_ADD_WGSL, FlatProgram, flatProgram, THREAD_GUARD_WGSL} from './program_util';
import {deformSampleWgsl, samplerZWgsl} from './sampler_z_wgsl';

/** Samples of a chunk: one per output position, offset group and tap. */
function chunkSamples(info: DeformConvInfo, rowCount: number): number {
  return rowCount * info.offsetGroups * info.taps;
}

/**
 * `fn columnIndex(r, t, c) -> i32`: the entry of channel `c` of sample `t`
 * (offset group * K + tap) of the chunk's row `r` in the columns.
 */
function columnIndexWgsl(info: DeformConvInfo, rowCount: number): string {
  const perGroup = info.inChannelsPerGroup;
  return `
    fn columnIndex(r : i32, t : i32, c : i32) -> i32 {
      let q = c / ${perGroup};
      return ((q * ${rowCount} + r) * ${info.taps} + t % ${info.taps}) * ${perGroup} + c - q * ${perGroup};
    }
  `;
}

/**
 * The loop of a sample's thread over the channels of its offset group:
 * `r`, `t`, `row`, the located sample `s`, its mask `m` and (`readsX`) its
 * `corners` are in scope in `body` (per channel `c`); a sample outside the
 * window skips the loop unless `always`.
 */
function perSampleWgsl(
  info: DeformConvInfo,
  body: string,
  {always, readsX}: {always: boolean; readsX: boolean},
): string {
  const samples = info.offsetGroups * info.taps;
  const perOffsetGroup = info.inChannelsPerOffsetGroup;
  return `
    fn main(index : i32) {
      ${THREAD_GUARD_WGSL}
      let r = index / ${samples};
      let t = index % ${samples};
      let row = uniforms.rowStart + r;
      let s = deformSample(row, t);
      let m = deformMask(row, t);
      ${always ? '' : 'if (!s.inside) { return; }'}
      ${readsX ? 'let corners = zCornerIndices(s);' : ''}
      let first = (t / ${info.taps}) * ${perOffsetGroup};
      for (var c = first; c < first + ${perOffsetGroup}; c++) {
        ${body}
      }
    }
  `;
}

function constants(info: DeformConvInfo, rowCount: number, withMask: boolean) {
  return {...info, rowCount, withMask};
}

/** Columns of the chunk: one thread per sample writes its channels (every entry, 0 outside). */
export function im2colProgram(
  info: DeformConvInfo,
  rowCount: number,
  withMask: boolean,
): FlatProgram {
  return flatProgram({
    name: 'deform_im2col',
    constants: constants(info, rowCount, withMask),
    variableNames: withMask ? ['x', 'offset', 'mask'] : ['x', 'offset'],
    outputShape: [info.groups, rowCount, info.taps * info.inChannelsPerGroup],
    threads: chunkSamples(info, rowCount),
    userCode: `
      ${samplerZWgsl(info, true)}
      ${deformSampleWgsl(info, withMask)}
      ${columnIndexWgsl(info, rowCount)}
      ${perSampleWgsl(
        info,
        `result[columnIndex(r, t, c)] = select(0.0, m * zValue(s, zCornersAt(corners, c)), s.inside);`,
        {always: true, readsX: true},
      )}
    `,
  });
}

/** Adds the transpose of im2col of `dCols` into the program's output `dx` (atomic). */
export function col2imProgram(
  info: DeformConvInfo,
  rowCount: number,
  withMask: boolean,
): FlatProgram {
  return flatProgram({
    name: 'deform_col2im',
    constants: constants(info, rowCount, withMask),
    variableNames: withMask ? ['dCols', 'offset', 'mask'] : ['dCols', 'offset'],
    outputShape: [info.batchSize, info.inHeight, info.inWidth, info.inChannels],
    threads: chunkSamples(info, rowCount),
    atomic: true,
    userCode: `
      ${samplerZWgsl(info, false)}
      ${deformSampleWgsl(info, withMask)}
      ${columnIndexWgsl(info, rowCount)}
      ${ATOMIC_ADD_WGSL}
      ${perSampleWgsl(
        info,
        `let g = f32(dCols[columnIndex(r, t, c)]) * m;
        if (g != 0.0) {
          for (var corner = 0; corner < 4; corner++) {
            let i = zCornerIndex(s, corner / 2, corner % 2);
            if (i >= 0) {
              atomicAddFloat(i + c, zCornerWeight(s, corner / 2, corner % 2) * g);
            }
          }
        }`,
        {always: false, readsX: false},
      )}
    `,
  });
}

/**
 * The chunk's offset gradient `[rowCount, 2 D K]` (`target` 'offset') or
 * mask gradient `[rowCount, D K]`: each entry sums its sample's channels.
 */
export function coordGradProgram(
  info: DeformConvInfo,
  rowCount: number,
  withMask: boolean,
  target: 'offset' | 'mask',
): FlatProgram {
  const samples = info.offsetGroups * info.taps;
  const perOffsetGroup = info.inChannelsPerOffsetGroup;
  const axes = target === 'offset' ? 2 : 1;
  const contribution =
    target === 'mask'
      ? 'zValue(s, v)'
      : 'select(zGradX(s, v), zGradY(s, v), axis == 0) * deformMask(row, t)';
  return flatProgram({
    name: `deform_coord_grad_${target}`,
    constants: constants(info, rowCount, withMask),
    variableNames: withMask ? ['dCols', 'x', 'offset', 'mask'] : ['dCols', 'x', 'offset'],
    outputShape: [rowCount, axes * samples],
    threads: rowCount * axes * samples,
    userCode: `
      ${samplerZWgsl(info, true)}
      ${deformSampleWgsl(info, withMask)}
      ${columnIndexWgsl(info, rowCount)}

      fn main(index : i32) {
        ${THREAD_GUARD_WGSL}
        let r = index / ${axes * samples};
        let t = (index / ${axes}) % ${samples};
        let axis = index % ${axes};
        let row = uniforms.rowStart + r;
        let s = deformSample(row, t);
        var sum = 0.0;
        if (s.inside) {
          let corners = zCornerIndices(s);
          let first = (t / ${info.taps}) * ${perOffsetGroup};
          for (var c = first; c < first + ${perOffsetGroup}; c++) {
            let g = f32(dCols[columnIndex(r, t, c)]);
            let v = zCornersAt(corners, c);
            sum += g * ${contribution};
          }
        }
        result[index] = sum;
      }
    `,
  });
}
