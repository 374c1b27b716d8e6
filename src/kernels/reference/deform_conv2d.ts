/**
 * DCNv1/v2 forward and backward on typed arrays: deformable im2col into a
 * bounded column buffer, then a grouped GEMM with the filter, chunk by chunk
 * over output positions (mmcv's im2col_step, by rows). The cpu backend's
 * kernels, and the readable reference for the other backends.
 *
 * Layouts: x `[N, H, W, C]`, filter `[kh, kw, C/G, Cout]`, offset
 * `[N, Ho, Wo, 2 D kh kw]`, mask `[N, Ho, Wo, D kh kw]`, y `[N, Ho, Wo, Cout]`.
 */
import type {DeformConvInfo} from '../../ops/deform_conv_util';
import {deformIm2col, deformIm2colBackward} from './deform_sampling';

export interface DeformConvArrays {
  x: Float32Array;
  offset: Float32Array;
  mask: Float32Array|null;
}

/** Output positions per chunk so that the columns hold at most `maxElements`. */
export function rowsPerChunk(info: DeformConvInfo, maxElements: number): number {
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const perRow = info.kernelSize * info.inChannels;
  return Math.max(1, Math.min(rows, Math.floor(maxElements / perRow)));
}

/** Calls `fn(rowStart, rowCount, cols)` over the output positions in chunks. */
function forEachChunk(
    info: DeformConvInfo, maxElements: number,
    fn: (rowStart: number, rowCount: number, cols: Float32Array) => void) {
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const chunk = rowsPerChunk(info, maxElements);
  const cols = new Float32Array(chunk * info.kernelSize * info.inChannels);
  for (let start = 0; start < rows; start += chunk) {
    fn(start, Math.min(chunk, rows - start), cols);
  }
}

/**
 * Visits the GEMM `cols[q] (rows x K) · filter[q] (K x Og)` of a chunk entry
 * by entry: `fn(colIndex, filterIndex, outIndex)` for every product term, with
 * `outIndex` into the chunk's `[rows, Cout]` block of y.
 */
function forEachProductTerm(
    info: DeformConvInfo, rowCount: number,
    fn: (colIndex: number, filterIndex: number, outIndex: number) => void) {
  const {groups, outChannels, outChannelsPerGroup} = info;
  const depth = info.kernelSize * info.inChannelsPerGroup;
  for (let q = 0; q < groups; q++) {
    for (let r = 0; r < rowCount; r++) {
      const colRow = (q * rowCount + r) * depth;
      const outRow = r * outChannels + q * outChannelsPerGroup;
      for (let k = 0; k < depth; k++) {
        const filterRow = k * outChannels + q * outChannelsPerGroup;
        for (let o = 0; o < outChannelsPerGroup; o++) {
          fn(colRow + k, filterRow + o, outRow + o);
        }
      }
    }
  }
}

export function deformConv2dForward(
    info: DeformConvInfo, {x, offset, mask}: DeformConvArrays,
    filter: Float32Array, bias: Float32Array|null,
    maxColumnElements: number): Float32Array {
  const {outChannels} = info;
  const y = new Float32Array(
      info.batchSize * info.outHeight * info.outWidth * outChannels);
  if (bias != null) {
    for (let i = 0; i < y.length; i++) {
      y[i] = bias[i % outChannels];
    }
  }
  forEachChunk(info, maxColumnElements, (start, count, cols) => {
    deformIm2col(info, x, offset, mask, start, count, cols);
    const base = start * outChannels;
    forEachProductTerm(info, count, (c, f, o) => {
      y[base + o] += cols[c] * filter[f];
    });
  });
  return y;
}

export interface DeformConvInputGrads {
  dx: Float32Array;
  dOffset: Float32Array;
  dMask: Float32Array|null;
}

/** Gradients w.r.t. x, offset and mask: `dCols = dy · filterᵀ`, then the sampler's transpose. */
export function deformConv2dBackpropInput(
    info: DeformConvInfo, {x, offset, mask}: DeformConvArrays,
    filter: Float32Array, dy: Float32Array,
    maxColumnElements: number): DeformConvInputGrads {
  const dx = new Float32Array(x.length);
  const dOffset = new Float32Array(offset.length);
  const dMask = mask == null ? null : new Float32Array(mask.length);
  forEachChunk(info, maxColumnElements, (start, count, dCols) => {
    dCols.fill(0, 0, count * info.kernelSize * info.inChannels);
    const base = start * info.outChannels;
    forEachProductTerm(info, count, (c, f, o) => {
      dCols[c] += dy[base + o] * filter[f];
    });
    deformIm2colBackward(
        info, dCols, x, offset, mask, start, count, dx, dOffset, dMask);
  });
  return {dx, dOffset, dMask};
}

/** Gradient w.r.t. the filter: `colsᵀ · dy`, accumulated over chunks. */
export function deformConv2dBackpropFilter(
    info: DeformConvInfo, {x, offset, mask}: DeformConvArrays,
    dy: Float32Array, maxColumnElements: number): Float32Array {
  const dFilter = new Float32Array(
      info.kernelSize * info.inChannelsPerGroup * info.outChannels);
  forEachChunk(info, maxColumnElements, (start, count, cols) => {
    deformIm2col(info, x, offset, mask, start, count, cols);
    const base = start * info.outChannels;
    forEachProductTerm(info, count, (c, f, o) => {
      dFilter[f] += cols[c] * dy[base + o];
    });
  });
  return dFilter;
}
