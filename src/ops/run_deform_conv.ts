/**
 * Validation and dispatch shared by `deformConv2d` and
 * `modulatedDeformConv2d`: every check runs before any kernel does.
 */
import {engine, Tensor, Tensor3D, Tensor4D} from '@tensorflow/tfjs-core';
import type {NamedTensorMap} from '@tensorflow/tfjs-core';
import type {TensorLike} from '@tensorflow/tfjs-core';

import type {DeformConv2DAttrs} from '../kernel_names';
import {computeDeformConvInfo} from '../shape/deform_conv';
import {DeformConvArgs, resolveDeformConvAttrs} from './deform_conv_args';
import {checkArg} from '../check_arg';
import {
  checkPerPosition,
  floatTensorArg,
  plural,
  to4D,
  checkNonEmptyImage,
  checkAllocatable,
  emptyBatchResult,
} from './op_util';
import {withInputRank} from './window_args';

type TensorArg = Tensor | TensorLike;

/** Arguments of both ops; `mask` is read only by the modulated op. */
export interface DeformConvOpArgs extends DeformConvArgs {
  x: TensorArg;
  filter: TensorArg;
  offset: TensorArg;
  mask?: TensorArg;
  bias?: TensorArg;
}

export function runDeformConv(
  opName: string,
  kernelName: string,
  args: DeformConvOpArgs,
  withMask: boolean,
): Tensor4D | Tensor3D {
  checkArg(
    args != null && typeof args === 'object',
    opName,
    'expects one object argument {x, filter, offset, ...}',
  );
  const xIn = floatTensorArg(opName, 'x', args.x, [3, 4]);
  const rank = xIn.rank;
  const filter = floatTensorArg(opName, 'filter', args.filter, [4]) as Tensor4D;
  const x = to4D(xIn);
  const offset = to4D(floatTensorArg(opName, 'offset', args.offset, [rank]));
  const mask = withMask ? to4D(floatTensorArg(opName, 'mask', args.mask, [rank])) : undefined;
  const bias = args.bias == null ? undefined : floatTensorArg(opName, 'bias', args.bias, [1]);

  const [batch, height, width, channels] = x.shape;
  const [kh, kw, filterInChannels, outChannels] = filter.shape;
  checkNonEmptyImage(opName, x, xIn.shape);
  checkArg(filter.size > 0, opName, `filter must not be empty, got shape [${filter.shape}]`);
  const attrs: DeformConv2DAttrs = resolveDeformConvAttrs(opName, args, height, width, [kh, kw]);
  const {groups, offsetGroups} = attrs;
  checkArg(
    channels % groups === 0,
    opName,
    `x has ${channels} channels, which groups = ${groups} does not divide`,
  );
  checkArg(
    outChannels % groups === 0,
    opName,
    `filter has ${outChannels} output channels, which groups = ${groups} does not divide`,
  );
  checkArg(
    filterInChannels === channels / groups,
    opName,
    `filter must have ${channels / groups} input channels (x's ${
      channels
    } channels / ${plural(groups, 'group')}), got ${filterInChannels}`,
  );
  checkArg(
    channels % offsetGroups === 0,
    opName,
    `x has ${channels} channels, which offsetGroups = ${offsetGroups} does not divide`,
  );

  const info = computeDeformConvInfo(x.shape, filter.shape, attrs);
  const [[top, bottom], [left, right]] = attrs.pad;
  checkArg(
    info.outHeight >= 1 && info.outWidth >= 1,
    opName,
    `the output would be ${info.outHeight}x${info.outWidth}: the padded ` +
      `input (${height + top + bottom}x${width + left + right}) is ` +
      `smaller than the dilated kernel (${attrs.dilations[0] * (kh - 1) + 1}x${
        attrs.dilations[1] * (kw - 1) + 1
      })`,
  );

  const taps = `${plural(offsetGroups, 'offset group')} and a ${kh}x${kw} kernel`;
  const perPosition = [batch, info.outHeight, info.outWidth];
  checkPerPosition(opName, 'offset', offset, [...perPosition, 2 * offsetGroups * kh * kw], taps);
  if (mask != null) {
    checkPerPosition(opName, 'mask', mask, [...perPosition, offsetGroups * kh * kw], taps);
  }
  if (bias != null) {
    checkArg(
      bias.shape[0] === outChannels,
      opName,
      `bias must have shape [${outChannels}] (filter's output channels), ` + `got [${bias.shape}]`,
    );
  }

  const inputs: NamedTensorMap = {x, filter, offset};
  if (mask != null) {
    inputs.mask = mask;
  }
  if (bias != null) {
    inputs.bias = bias;
  }
  checkAllocatable(opName, 'the output', [batch, info.outHeight, info.outWidth, outChannels]);
  if (batch === 0) {
    return emptyBatchResult(Object.values(inputs), [0, info.outHeight, info.outWidth, outChannels]);
  }
  return withInputRank(engine().runKernel(kernelName, inputs, {...attrs}) as Tensor4D, rank);
}
