import {engine, op, Tensor, Tensor3D, Tensor4D} from '@tensorflow/tfjs-core';
import type {TensorLike} from '@tensorflow/tfjs-core';

import {DCNv3, DCNv3Attrs} from '../kernel_names';
import {computeDCNv3Info} from '../shape/dcnv3';
import {checkArg} from '../check_arg';
import {
  checkPerPosition,
  emptyBatchResult,
  floatTensorArg,
  plural,
  to4D,
  checkAllocatable,
} from './op_util';
import {checkOutputSize, windowOpArgs, WindowOpArgs, withInputRank} from './window_args';

/** Arguments of {@link dcnv3}. */
export interface DCNv3Args extends WindowOpArgs {
  offset: Tensor | TensorLike;
  mask: Tensor | TensorLike;
  offsetScale?: number;
  removeCenter?: boolean;
}

/**
 * The core of InternImage's DCNv3 (Wang et al. 2023): per channel group, a
 * mask-weighted sum of deformably sampled input values. No weights: the
 * input/output projections and the offset/mask branches live in the layer.
 * Numerically identical to InternImage's `DCNv3Function` (CUDA).
 *
 * - `x`: `[N, H, W, C]` (or rank 3), `C` divisible by `groups`; channel
 *   `g * C/groups + c` belongs to group `g`.
 * - `offset`: `[N, Ho, Wo, groups * P * 2]` in InternImage's order: groups
 *   outermost, then the sampling point `p`, then the pair **(Δx, Δy)**.
 *   Points are column-major: `p = a * kh + b` for kernel column `a` and row
 *   `b` (DCNv1/v2 are row-major and (Δy, Δx)!). `P = kh * kw`, or one less
 *   with `removeCenter` (the centre point skipped).
 * - `mask`: `[N, Ho, Wo, groups * P]`, used as given (the layer applies the
 *   softmax over each group's points).
 * - `kernelSize`, `strides`, `dilations`: number or `[h, w]`; `pad` as for
 *   {@link deformConv2d} (default 0); `offsetScale` (default 1) scales both
 *   the regular grid around the kernel centre and the offsets.
 *
 * Point `(b, a)` of output `(oh, ow)` samples `x` at
 * `y = oh*sh - top + ch + s*(b*dh - ch + Δy)`, `x = ow*sw - left + cw +
 * s*(a*dw - cw + Δx)` with `ch = floor(dh*(kh-1)/2)`, `cw` likewise and
 * `s = offsetScale`, bilinearly with zeros outside (as DCNv1/v2). Output
 * `[N, Ho, Wo, C]`. Non-finite or huge offsets give samples of 0 and zero
 * gradients. Gradients w.r.t. `x`, `offset` and `mask` (InternImage's CUDA
 * rule at integer positions, as mmcv's).
 */
function dcnv3_(args: DCNv3Args): Tensor4D | Tensor3D {
  const opName = 'dcnv3';
  const {x, rank, attrs: window} = windowOpArgs(opName, args, () => 0);
  const offset = to4D(floatTensorArg(opName, 'offset', args.offset, [rank]));
  const mask = to4D(floatTensorArg(opName, 'mask', args.mask, [rank]));
  const {kernelSize, groups} = window;
  const offsetScale = args.offsetScale ?? 1;
  checkArg(
    Number.isFinite(offsetScale),
    opName,
    `offsetScale must be a finite number, got ${offsetScale}`,
  );
  const removeCenter = args.removeCenter ?? false;
  checkArg(
    !removeCenter || (kernelSize[0] % 2 === 1 && kernelSize[1] % 2 === 1),
    opName,
    `removeCenter needs an odd kernel, got ${kernelSize[0]}x${kernelSize[1]}`,
  );
  const attrs: DCNv3Attrs = {...window, offsetScale, removeCenter};
  const info = computeDCNv3Info(x.shape, attrs);
  checkOutputSize(opName, info);
  const points = `${plural(groups, 'group')} and ${info.points} sampling points`;
  const perPosition = [info.batchSize, info.outHeight, info.outWidth];
  checkPerPosition(opName, 'offset', offset, [...perPosition, groups * info.points * 2], points);
  checkPerPosition(opName, 'mask', mask, [...perPosition, groups * info.points], points);
  checkAllocatable(opName, 'the output', [
    info.batchSize,
    info.outHeight,
    info.outWidth,
    info.inChannels,
  ]);
  if (info.batchSize === 0) {
    return emptyBatchResult([x, offset, mask], [0, info.outHeight, info.outWidth, info.inChannels]);
  }
  return withInputRank(engine().runKernel(DCNv3, {x, offset, mask}, {...attrs}) as Tensor4D, rank);
}

export const dcnv3 = op({dcnv3_}) as {
  <R extends Tensor3D | Tensor4D = Tensor4D>(args: DCNv3Args): R;
};
