import {op, Tensor3D, Tensor4D} from '@tensorflow/tfjs-core';

import {DeformConv2D} from '../kernel_names';
import {DeformConvOpArgs, runDeformConv} from './run_deform_conv';

/** Arguments of {@link deformConv2d}. */
export type DeformConv2dArgs = Omit<DeformConvOpArgs, 'mask'>;

/**
 * Deformable convolution (DCNv1, Dai et al. 2017), numerically identical to
 * torchvision `deform_conv2d` without mask, mmcv `deform_conv2d` and ONNX
 * `DeformConv`. Channels-last, like tfjs:
 *
 * - `x`: `[N, H, W, C]` (or `[H, W, C]`, then the result is rank 3 too).
 * - `filter`: `[kh, kw, C / groups, Cout]` (PyTorch `weight.permute(2, 3, 1, 0)`).
 * - `offset`: `[N, Ho, Wo, 2 * offsetGroups * kh * kw]`, the peers' channel
 *   order: channel `2 * (g * kh * kw + i * kw + j)` is the row shift Δy of tap
 *   `(i, j)` of offset group `g`, the next channel its column shift Δx
 *   (PyTorch `offset.permute(0, 2, 3, 1)`). Input channel `c` uses offset
 *   group `floor(c / (C / offsetGroups))`.
 * - `bias`: optional `[Cout]`.
 * - `strides`, `dilations`: number or `[h, w]` (default 1).
 * - `pad`: a number (both sides, as PyTorch), `[padH, padW]`,
 *   `[[top, bottom], [left, right]]`, `'valid'` or `'same'` (tfjs semantics).
 *   Default 0.
 * - `groups` (default 1): grouped convolution; `offsetGroups` (default 1).
 *
 * Returns `[N, Ho, Wo, Cout]` with `Ho = floor((H + top + bottom -
 * dilationH * (kh - 1) - 1) / strideH) + 1` (same for `Wo`).
 *
 * A sample at `(y, x) = (oh * strideH - top + i * dilationH + Δy, ...)` is
 * bilinear in the input zero-extended by one pixel, and 0 when `y <= -1`,
 * `y >= H`, `x <= -1` or `x >= W`. Non-finite or huge offsets (NaN, ±Infinity,
 * 1e30) therefore give samples of 0 (and zero gradients); nothing outside the
 * input is ever read. Gradients w.r.t. every input follow mmcv's rule at
 * exact integer positions (the one-sided difference toward `floor + 1`, and
 * zero offset gradient at exactly -1).
 */
function deformConv2d_(args: DeformConv2dArgs): Tensor4D | Tensor3D {
  return runDeformConv('deformConv2d', DeformConv2D, args, false);
}

export const deformConv2d = op({deformConv2d_}) as {
  <R extends Tensor3D | Tensor4D = Tensor4D>(args: DeformConv2dArgs): R;
};
