/**
 * The sampling passes of DCNv1/v2 on channels-last typed arrays: deformable
 * im2col, its transpose (input gradient) and the offset and mask gradients,
 * as deform_conv_sampling.ts specifies them for every backend. They work on a
 * chunk of output positions `[rowStart, rowStart + rowCount)` (a row is one
 * `(n, oh, ow)`), so the column buffer stays bounded.
 *
 * Column layout `[groups, rowCount, kh * kw * C / groups]`.
 */
import type {DeformConvInfo} from '../../shape/deform_conv';
import {BilinearZ} from './bilinear_z';

/** One sample: a (row, tap, offset group) triple and where it reads. */
interface Sample {
  row: number;
  tap: number;
  group: number;
  /** Element index of Δy in `offset` (Δx follows); mask index is `maskIndex`. */
  offsetIndex: number;
  maskIndex: number;
  mask: number;
}

/**
 * Calls `visit` for every sample of the chunk whose position is inside the
 * sampler's window, with `sampler` located there; `image` is the element index
 * of the sample's image in `x`.
 */
function forEachSample(
  info: DeformConvInfo,
  offset: Float32Array,
  mask: Float32Array | null,
  rowStart: number,
  rowCount: number,
  sampler: BilinearZ,
  visit: (s: Sample) => void,
): void {
  const {outHeight, outWidth, filterWidth, taps, offsetGroups} = info;
  const imageSize = info.inHeight * info.inWidth * info.inChannels;
  const samplesPerRow = offsetGroups * taps;
  const s: Sample = {row: 0, tap: 0, group: 0, offsetIndex: 0, maskIndex: 0, mask: 1};
  for (let row = 0; row < rowCount; row++) {
    const p = rowStart + row;
    const n = Math.floor(p / (outHeight * outWidth));
    const oh = Math.floor(p / outWidth) % outHeight;
    const ow = p % outWidth;
    const y0 = oh * info.strideHeight - info.padTop;
    const x0 = ow * info.strideWidth - info.padLeft;
    for (let group = 0; group < offsetGroups; group++) {
      for (let tap = 0; tap < taps; tap++) {
        const i = Math.floor(tap / filterWidth);
        const j = tap % filterWidth;
        s.maskIndex = p * samplesPerRow + group * taps + tap;
        s.offsetIndex = 2 * s.maskIndex;
        const y = y0 + i * info.dilationHeight + offset[s.offsetIndex];
        const x = x0 + j * info.dilationWidth + offset[s.offsetIndex + 1];
        if (sampler.locate(y, x, n * imageSize)) {
          s.row = row;
          s.tap = tap;
          s.group = group;
          s.mask = mask == null ? 1 : mask[s.maskIndex];
          visit(s);
        }
      }
    }
  }
}

/** Index in the column buffer of channel `c` of a sample. */
function columnIndex(
  info: DeformConvInfo,
  rowCount: number,
  row: number,
  tap: number,
  c: number,
): number {
  const perGroup = info.inChannelsPerGroup;
  const q = Math.floor(c / perGroup);
  return ((q * rowCount + row) * info.taps + tap) * perGroup + (c - q * perGroup);
}

/** Fills `cols` (zeroed here) with the mask-weighted samples of the chunk. */
export function deformIm2col(
  info: DeformConvInfo,
  x: Float32Array,
  offset: Float32Array,
  mask: Float32Array | null,
  rowStart: number,
  rowCount: number,
  cols: Float32Array,
): void {
  cols.fill(0, 0, rowCount * info.taps * info.inChannels);
  const sampler = new BilinearZ(info.inHeight, info.inWidth, info.inChannels);
  const perOffsetGroup = info.inChannelsPerOffsetGroup;
  forEachSample(info, offset, mask, rowStart, rowCount, sampler, s => {
    for (let c = s.group * perOffsetGroup; c < (s.group + 1) * perOffsetGroup; c++) {
      cols[columnIndex(info, rowCount, s.row, s.tap, c)] = s.mask * sampler.value(x, c);
    }
  });
}

/** Transpose of {@link deformIm2col} (a scatter): adds the chunk's `dCols` into `dx`. */
export function deformCol2im(
  info: DeformConvInfo,
  dCols: Float32Array,
  offset: Float32Array,
  mask: Float32Array | null,
  rowStart: number,
  rowCount: number,
  dx: Float32Array,
): void {
  const sampler = new BilinearZ(info.inHeight, info.inWidth, info.inChannels);
  const perOffsetGroup = info.inChannelsPerOffsetGroup;
  forEachSample(info, offset, mask, rowStart, rowCount, sampler, s => {
    for (let c = s.group * perOffsetGroup; c < (s.group + 1) * perOffsetGroup; c++) {
      const g = dCols[columnIndex(info, rowCount, s.row, s.tap, c)];
      if (g !== 0) {
        sampler.scatter(dx, c, g * s.mask);
      }
    }
  });
}

/**
 * Offset and mask gradients of the chunk (gathers), into `dOffset`
 * `[rowCount, 2 D K]` and `dMask` `[rowCount, D K]` (zero-filled by the
 * caller; samples outside the window keep 0).
 */
export function deformCoordGrad(
  info: DeformConvInfo,
  dCols: Float32Array,
  x: Float32Array,
  offset: Float32Array,
  mask: Float32Array | null,
  rowStart: number,
  rowCount: number,
  dOffset: Float32Array,
  dMask: Float32Array | null,
): void {
  const sampler = new BilinearZ(info.inHeight, info.inWidth, info.inChannels);
  const perOffsetGroup = info.inChannelsPerOffsetGroup;
  const firstTap = rowStart * info.offsetGroups * info.taps;
  forEachSample(info, offset, mask, rowStart, rowCount, sampler, s => {
    let dy = 0;
    let dxPos = 0;
    let dm = 0;
    for (let c = s.group * perOffsetGroup; c < (s.group + 1) * perOffsetGroup; c++) {
      const g = dCols[columnIndex(info, rowCount, s.row, s.tap, c)];
      dm += g * sampler.value(x, c);
      dy += g * sampler.gradY(x, c);
      dxPos += g * sampler.gradX(x, c);
    }
    const tap = s.maskIndex - firstTap;
    dOffset[2 * tap] = dy * s.mask;
    dOffset[2 * tap + 1] = dxPos * s.mask;
    if (dMask != null) {
      dMask[tap] = dm;
    }
  });
}
