import {engine, op, Tensor, Tensor3D, Tensor4D} from '@tensorflow/tfjs-core';
import type {TensorLike} from '@tensorflow/tfjs-core';

import {Involution} from '../kernel_names';
import {computeInvolutionInfo} from '../shape/involution';
import {
  checkPerPosition,
  emptyBatchResult,
  floatTensorArg,
  plural,
  to4D,
  checkAllocatable,
} from './op_util';
import {checkOutputSize, windowOpArgs, WindowOpArgs, withInputRank} from './window_args';

/** Arguments of {@link involution}. */
export interface InvolutionArgs extends WindowOpArgs {
  kernel: Tensor | TensorLike;
}

/**
 * Involution (Li et al., CVPR 2021): each output position applies its own
 * generated kernel, shared by the channels of a group; the memory of a
 * depthwise convolution (no unfolded input).
 *
 * - `x`: `[N, H, W, C]` (or rank 3), `C` divisible by `groups`; channel `c`
 *   uses group `floor(c / (C / groups))`.
 * - `kernel`: `[N, Ho, Wo, groups * kh * kw]`, channel `g * kh * kw + i * kw +
 *   j` weighs tap `(i, j)` of group `g` (the reference's layout, channels-last).
 * - `kernelSize`, `strides`, `dilations`: number or `[h, w]`. `pad` as for
 *   {@link deformConv2d}; by default `floor((k - 1) / 2) * dilation` per side,
 *   which keeps the size at stride 1.
 *
 * `out[n, oh, ow, c] = Σ_{i, j} kernel[n, oh, ow, g(c) kh kw + i kw + j] ·
 * x[n, oh*sh - top + i*dh, ow*sw - left + j*dw, c]`, taps outside the input
 * reading 0. Output `[N, Ho, Wo, C]`. Gradients w.r.t. `x` and `kernel`.
 *
 * RedNet's module derives the kernel from the input average-pooled by the
 * stride, so there `Ho` must equal `floor(H / stride)`; the reference leaves
 * other sizes undefined, and here they fail the kernel shape check.
 */
function involution_(args: InvolutionArgs): Tensor4D | Tensor3D {
  const opName = 'involution';
  // Default: floor((k - 1) / 2) * dilation per side, the size kept at stride 1.
  const {x, rank, attrs} = windowOpArgs(
    opName,
    args,
    (kernel, dilations) =>
      [0, 1].map(axis => Math.floor((kernel[axis] - 1) / 2) * dilations[axis]) as [number, number],
  );
  const kernel = to4D(floatTensorArg(opName, 'kernel', args.kernel, [rank]));
  const info = computeInvolutionInfo(x.shape, attrs);
  checkOutputSize(opName, info);
  const [kh, kw] = attrs.kernelSize;
  checkPerPosition(
    opName,
    'kernel',
    kernel,
    [info.batchSize, info.outHeight, info.outWidth, attrs.groups * kh * kw],
    `${plural(attrs.groups, 'group')} and a ${kh}x${kw} kernel`,
  );
  checkAllocatable(opName, 'the output', [
    info.batchSize,
    info.outHeight,
    info.outWidth,
    info.inChannels,
  ]);
  if (info.batchSize === 0) {
    return emptyBatchResult([x, kernel], [0, info.outHeight, info.outWidth, info.inChannels]);
  }
  return withInputRank(engine().runKernel(Involution, {x, kernel}, {...attrs}) as Tensor4D, rank);
}

export const involution = op({involution_}) as {
  <R extends Tensor3D | Tensor4D = Tensor4D>(args: InvolutionArgs): R;
};
