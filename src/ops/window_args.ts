/**
 * Argument handling shared by the per-position ops without a filter tensor
 * (dcnv3, involution): the input, the window attributes, the group count,
 * the output-size check, and giving rank-3 inputs a rank-3 result.
 */
import {reshape, Tensor, Tensor3D, Tensor4D} from '@tensorflow/tfjs-core';
import type {TensorLike} from '@tensorflow/tfjs-core';

import type {ExplicitPad} from '../kernel_names';
import {PadArg, resolvePad, WindowGeometry} from '../shape/window';
import {checkArg} from '../check_arg';
import {floatTensorArg, pair, to4D, checkNonEmptyImage} from './op_util';

export interface WindowOpArgs {
  x: Tensor | TensorLike;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  dilations?: number | [number, number];
  pad?: PadArg;
  groups: number;
}

export interface WindowAttrs {
  kernelSize: [number, number];
  strides: [number, number];
  dilations: [number, number];
  pad: ExplicitPad;
  groups: number;
}

/** `x` as 4-D with its original rank, and the checked window attributes. */
export function windowOpArgs(
  opName: string,
  args: WindowOpArgs,
  defaultPad: (kernelSize: [number, number], dilations: [number, number]) => PadArg,
): {x: Tensor4D; rank: number; attrs: WindowAttrs} {
  checkArg(
    args != null && typeof args === 'object',
    opName,
    'expects one object argument {x, kernelSize, groups, ...}',
  );
  const xIn = floatTensorArg(opName, 'x', args.x, [3, 4]);
  const x = to4D(xIn);
  checkNonEmptyImage(opName, x, xIn.shape);
  const [, height, width, channels] = x.shape;
  checkArg(args.kernelSize != null, opName, 'kernelSize is required');
  const kernelSize = pair(opName, 'kernelSize', args.kernelSize);
  const strides = pair(opName, 'strides', args.strides ?? 1);
  const dilations = pair(opName, 'dilations', args.dilations ?? 1);
  const pad = resolvePad(
    opName,
    args.pad ?? defaultPad(kernelSize, dilations),
    height,
    width,
    kernelSize,
    strides,
    dilations,
  );
  const {groups} = args;
  checkArg(
    Number.isInteger(groups) && groups >= 1,
    opName,
    `groups must be a positive integer, got ${groups}`,
  );
  checkArg(
    channels % groups === 0,
    opName,
    `x has ${channels} channels, which groups = ${groups} does not divide`,
  );
  return {x, rank: xIn.rank, attrs: {kernelSize, strides, dilations, pad, groups}};
}

export function checkOutputSize(opName: string, geometry: WindowGeometry): void {
  checkArg(
    geometry.outHeight >= 1 && geometry.outWidth >= 1,
    opName,
    `the output would be ${geometry.outHeight}x${geometry.outWidth}: the padded input is ` +
      `smaller than the dilated kernel`,
  );
}

/** The kernel's 4-D result, rank 3 again when the input was. */
export function withInputRank(y: Tensor4D, rank: number): Tensor4D | Tensor3D {
  return rank === 3 ? (reshape(y, y.shape.slice(1) as [number, number, number]) as Tensor3D) : y;
}
