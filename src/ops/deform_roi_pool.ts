import {engine, NamedTensorMap, op, Tensor4D, zeros} from '@tensorflow/tfjs-core';

import {DeformRoIPool, DeformRoIPoolAttrs, ModulatedDeformRoIPool} from '../kernel_names';
import {checkArg} from '../check_arg';
import {checkAllocatable} from './op_util';
import {featuresAndRois, finiteArg, outputSizeArg, perBinArg, TensorArg} from './roi_args';

/** Arguments of {@link deformRoiPool}. */
export interface DeformRoIPoolArgs {
  x: TensorArg;
  rois: TensorArg;
  offset?: TensorArg;
  outputSize: number | [number, number];
  spatialScale?: number;
  samplingRatio?: number;
  gamma?: number;
}

/** Arguments of {@link modulatedDeformRoiPool}. */
export interface ModulatedDeformRoIPoolArgs extends DeformRoIPoolArgs {
  offset: TensorArg;
  mask: TensorArg;
}

function prepare(opName: string, args: DeformRoIPoolArgs, withMask: boolean) {
  checkArg(
    args != null && typeof args === 'object',
    opName,
    'expects one object argument {x, rois, outputSize, ...}',
  );
  const {x, rois} = featuresAndRois(opName, args.x, args.rois);
  const outputSize = outputSizeArg(opName, 'outputSize', args.outputSize);
  const samplingRatio = args.samplingRatio ?? 0;
  checkArg(
    Number.isInteger(samplingRatio) && samplingRatio >= 0,
    opName,
    `samplingRatio must be a non-negative integer (0: adaptive), got ${samplingRatio}`,
  );
  const attrs: DeformRoIPoolAttrs = {
    outputSize,
    spatialScale: finiteArg(opName, 'spatialScale', args.spatialScale ?? 1),
    samplingRatio,
    gamma: finiteArg(opName, 'gamma', args.gamma ?? 0.1),
  };
  const perBin = [rois.shape[0], ...outputSize];
  checkAllocatable(opName, 'the output', [...perBin, x.shape[3]]);
  // No offset is a zero offset: the kernels always take one (see kernel_names.ts).
  const offset =
    args.offset == null
      ? zeros([...perBin, 2])
      : perBinArg(opName, 'offset', args.offset, [...perBin, 2]);
  const inputs: NamedTensorMap = {x, rois, offset};
  if (withMask) {
    inputs.mask = perBinArg(opName, 'mask', (args as ModulatedDeformRoIPoolArgs).mask, [
      ...perBin,
      1,
    ]);
  }
  return {inputs, attrs};
}

/**
 * mmcv's deformable RoI pooling (`DeformRoIPool`, Dai et al. 2017):
 * RoIAlign-style average pooling whose bins move by learned offsets.
 *
 * - `x`: `[N, H, W, C]`; `rois`: `[R, 5]` rows `(batchIndex, x1, y1, x2, y2)`
 *   in input-image coordinates (scaled by `spatialScale`, default 1, and
 *   shifted by -0.5 as mmcv does; no minimum size).
 * - `offset`: optional `[R, ph, pw, 2]`, the last axis **(Δx, Δy)**
 *   (PyTorch's `offset.permute(0, 2, 3, 1)`), normalised: a bin moves by
 *   `gamma` (default 0.1) times offset times the RoI's width / height.
 * - `outputSize`: number or `[ph, pw]`; `samplingRatio`: samples per bin and
 *   axis, 0 (default) for `ceil(roiSize / outputSize)`.
 *
 * Output `[R, ph, pw, C]`. Samples use mmcv's RoIAlign sampler (0 beyond one
 * pixel outside the image, the border replicated within it). Empty or
 * inverted RoIs (x2 <= x1) with adaptive sampling pool nothing and give 0.
 * Gradients flow to `x` and `offset` (mmcv's offset gradient, including its
 * behaviour in the replicated border zones); `rois` get zero gradients.
 * The batch indices are checked (a small synchronous read of `rois`).
 */
function deformRoiPool_(args: DeformRoIPoolArgs): Tensor4D {
  const {inputs, attrs} = prepare('deformRoiPool', args, false);
  return engine().runKernel(DeformRoIPool, inputs, {...attrs}) as Tensor4D;
}

/**
 * {@link deformRoiPool} multiplied by a per-bin `mask` `[R, ph, pw, 1]`
 * (mmcv's `ModulatedDeformRoIPoolPack` applies the sigmoid before). Gradients
 * flow to `x`, `offset` and `mask`.
 */
function modulatedDeformRoiPool_(args: ModulatedDeformRoIPoolArgs): Tensor4D {
  checkArg(args?.offset != null, 'modulatedDeformRoiPool', 'offset is required');
  const {inputs, attrs} = prepare('modulatedDeformRoiPool', args, true);
  return engine().runKernel(ModulatedDeformRoIPool, inputs, {...attrs}) as Tensor4D;
}

export const deformRoiPool = op({deformRoiPool_});
export const modulatedDeformRoiPool = op({modulatedDeformRoiPool_});
