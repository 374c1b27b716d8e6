/**
 * A deformable convolution and its gradients assembled from the reference
 * sampling loops (src/kernels/reference/deform_sampling.ts) called directly,
 * with the GEMMs, groups and bias as plain loops accumulated in float64: an
 * oracle for the cpu backend that shares its sampling loops but none of the
 * kernel driver (chunking, grouped transposes, tfjs's matmuls, fused bias,
 * the gradient's plumbing). All output positions in one chunk.
 */
import {
  deformCoordGrad,
  deformCol2im,
  deformIm2col,
} from '../../src/kernels/reference/deform_sampling';
import type {DeformConvInfo} from '../../src/shape/deform_conv';

export interface DeformConvByLoopsInputs {
  x: Float32Array;
  /** `[kh, kw, C / groups, Cout]`. */
  filter: Float32Array;
  offset: Float32Array;
  mask: Float32Array | null;
  bias: Float32Array | null;
  /** The output's gradient, `[N, Ho, Wo, Cout]`. */
  dy: Float32Array;
}

/** `[y, dx, dFilter, dOffset]`, then `dMask` and `dBias` when there are a mask and a bias. */
export function deformConvByLoops(
  info: DeformConvInfo,
  {x, filter, offset, mask, bias, dy}: DeformConvByLoopsInputs,
): Float32Array[] {
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const groups = info.groups;
  const depth = info.taps * info.inChannelsPerGroup; // per group
  const outPerGroup = info.outChannelsPerGroup;
  const cout = info.outChannels;
  // Columns [G, rows, depth]; the filter is [depth, Cout], Cout split as [G, Cout / G].
  const cols = new Float32Array(groups * rows * depth);
  deformIm2col(info, x, offset, mask, 0, rows, cols);
  const col = (g: number, row: number, d: number) => cols[(g * rows + row) * depth + d];
  const w = (d: number, o: number) => filter[d * cout + o];

  const y = new Float32Array(rows * cout);
  const dCols = new Float32Array(cols.length);
  const dFilter = new Float32Array(filter.length);
  for (let g = 0; g < groups; g++) {
    for (let oo = 0; oo < outPerGroup; oo++) {
      const o = g * outPerGroup + oo;
      for (let row = 0; row < rows; row++) {
        let sum = bias == null ? 0 : bias[o];
        for (let d = 0; d < depth; d++) {
          sum += col(g, row, d) * w(d, o);
        }
        y[row * cout + o] = sum;
      }
      for (let d = 0; d < depth; d++) {
        let sum = 0;
        for (let row = 0; row < rows; row++) {
          sum += col(g, row, d) * dy[row * cout + o];
        }
        dFilter[d * cout + o] = sum;
      }
    }
    for (let row = 0; row < rows; row++) {
      for (let d = 0; d < depth; d++) {
        let sum = 0;
        for (let oo = 0; oo < outPerGroup; oo++) {
          const o = g * outPerGroup + oo;
          sum += dy[row * cout + o] * w(d, o);
        }
        dCols[(g * rows + row) * depth + d] = sum;
      }
    }
  }

  const dx = new Float32Array(x.length);
  deformCol2im(info, dCols, offset, mask, 0, rows, dx);
  const dOffset = new Float32Array(offset.length);
  const dMask = mask == null ? null : new Float32Array(mask.length);
  deformCoordGrad(info, dCols, x, offset, mask, 0, rows, dOffset, dMask);
  const results = [y, dx, dFilter, dOffset];
  if (dMask != null) {
    results.push(dMask);
  }
  if (bias != null) {
    const dBias = new Float32Array(cout);
    for (let o = 0; o < cout; o++) {
      let sum = 0;
      for (let row = 0; row < rows; row++) {
        sum += dy[row * cout + o];
      }
      dBias[o] = sum;
    }
    results.push(dBias);
  }
  return results;
}
