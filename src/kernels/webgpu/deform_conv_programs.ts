/**
 * The DCNv1/v2 sampling passes' compute programs on webgpu: im2col and the
 * offset/mask gradients are gathers (one thread per output element), the
 * input gradient a scatter (one thread per column-gradient entry, adding
 * into `dx` with float atomics). Columns are laid out `[G, rowCount, K C/G]`
 * (deform_conv_sampling.ts).
 */
import type {DeformConvInfo} from '../../shape/deform_conv';
import {ATOMIC_ADD_WGSL, FlatProgram, flatProgram, THREAD_GUARD_WGSL} from './program_util';
import {deformSampleWgsl, samplerZWgsl} from './sampler_z_wgsl';

/** Entries of a chunk's columns. */
export function columnEntries(info: DeformConvInfo, rowCount: number): number {
  return rowCount * info.taps * info.inChannels;
}

/**
 * `ColumnEntry columnEntry(index)`: row (absolute), channel `c`, sample `t`
 * of entry `index` of the chunk's columns.
 */
function columnEntryWgsl(info: DeformConvInfo, rowCount: number): string {
  const depth = info.taps * info.inChannelsPerGroup;
  const perGroup = info.inChannelsPerGroup;
  return `
    struct ColumnEntry {
      row : i32,
      c : i32,
      t : i32,
    };

    fn columnEntry(index : i32) -> ColumnEntry {
      var e : ColumnEntry;
      let q = index / ${rowCount * depth};
      let j = index % ${depth};
      e.row = uniforms.rowStart + (index / ${depth}) % ${rowCount};
      e.c = q * ${perGroup} + j % ${perGroup};
      e.t = (e.c / ${info.inChannelsPerOffsetGroup}) * ${info.taps} + j / ${perGroup};
      return e;
    }
  `;
}

function constants(info: DeformConvInfo, rowCount: number, withMask: boolean) {
  return {...info, rowCount, withMask};
}

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
    threads: columnEntries(info, rowCount),
    userCode: `
      ${samplerZWgsl(info, true)}
      ${deformSampleWgsl(info, withMask)}
      ${columnEntryWgsl(info, rowCount)}

      fn main(index : i32) {
        ${THREAD_GUARD_WGSL}
        let e = columnEntry(index);
        let s = deformSample(e.row, e.t);
        result[index] = deformMask(e.row, e.t) * zValue(s, zCorners(s, e.c));
      }
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
    threads: columnEntries(info, rowCount),
    atomic: true,
    userCode: `
      ${samplerZWgsl(info, false)}
      ${deformSampleWgsl(info, withMask)}
      ${columnEntryWgsl(info, rowCount)}
      ${ATOMIC_ADD_WGSL}

      fn main(index : i32) {
        ${THREAD_GUARD_WGSL}
        let e = columnEntry(index);
        let g = f32(dCols[index]) * deformMask(e.row, e.t);
        let s = deformSample(e.row, e.t);
        if (g == 0.0 || !s.inside) {
          return;
        }
        for (var corner = 0; corner < 4; corner++) {
          let i = zCornerIndex(s, corner / 2, corner % 2);
          if (i >= 0) {
            atomicAddFloat(i + e.c, zCornerWeight(s, corner / 2, corner % 2) * g);
          }
        }
      }
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
  const perGroup = info.inChannelsPerGroup;
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

      fn main(index : i32) {
        ${THREAD_GUARD_WGSL}
        let r = index / ${axes * samples};
        let t = (index / ${axes}) % ${samples};
        let axis = index % ${axes};
        let row = uniforms.rowStart + r;
        let s = deformSample(row, t);
        var sum = 0.0;
        if (s.inside) {
          let k = t % ${info.taps};
          let first = (t / ${info.taps}) * ${perOffsetGroup};
          for (var c = first; c < first + ${perOffsetGroup}; c++) {
            let q = c / ${perGroup};
            let g = f32(dCols[((q * ${rowCount} + r) * ${info.taps} + k) * ${perGroup} + c - q * ${perGroup}]);
            let v = zCorners(s, c);
            sum += g * ${contribution};
          }
        }
        result[index] = sum;
      }
    `,
  });
}
