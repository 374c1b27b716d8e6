import {engine, op, Tensor4D, zeros} from '@tensorflow/tfjs-core';

import {DeformPSRoIPool, DeformPSRoIPoolAttrs} from '../kernel_names';
import {checkArg} from '../check_arg';
import {floatTensorArg, pair, checkAllocatable} from './op_util';
import {featuresAndRois, finiteArg, outputSizeArg, TensorArg} from './roi_args';

/** Arguments of {@link deformPsRoiPool}. */
export interface DeformPSRoIPoolArgs {
  x: TensorArg;
  rois: TensorArg;
  offset?: TensorArg;
  outputDim: number;
  groupSize: number;
  outputSize: number | [number, number];
  partSize?: number | [number, number];
  samplesPerPart?: number;
  spatialScale?: number;
  transStd?: number;
  noTrans?: boolean;
}

/**
 * Deformable position-sensitive RoI pooling of DCNv1 (R-FCN; MXNet's
 * `DeformablePSROIPooling`, mmdetection v1's and CharlesShang's ports).
 *
 * - `x`: `[N, H, W, outputDim * groupSize²]`: output channel `ct` of bin
 *   `(ph, pw)` reads input channel `(ct * gs + gh) * gs + gw`, `(gh, gw)` the
 *   bin's cell in the `groupSize x groupSize` grid.
 * - `rois`: `[R, 5]` rows `(batchIndex, x1, y1, x2, y2)`, rounded and made
 *   inclusive as the peer does (`x2 + 1`), minimum size 0.1.
 * - `offset` (the peer's `trans`): `[R, partH, partW, 2 * classes]`, per class
 *   **(Δx, Δy)**; output channels are split evenly over the classes. A bin
 *   moves by `transStd` times offset times the RoI size. Omitted, or ignored
 *   with `noTrans`.
 * - `outputSize` (number or `[ph, pw]`), `partSize` (default `outputSize`),
 *   `samplesPerPart` (default 4: samples per bin and axis, not centred),
 *   `spatialScale` (default 1), `transStd` (default 0).
 *
 * Output `[R, ph, pw, outputDim]`: the average of the samples inside
 * `[-0.5, size - 0.5]` (others are skipped), 0 when none is. Gradients flow
 * to `x` and `offset`; the offset gradient is 0 where the clamped sample
 * position is an integer (as the peer's). `rois` get zero gradients.
 */
function deformPsRoiPool_(args: DeformPSRoIPoolArgs): Tensor4D {
  const opName = 'deformPsRoiPool';
  checkArg(
    args != null && typeof args === 'object',
    opName,
    'expects one object argument {x, rois, outputDim, groupSize, outputSize, ...}',
  );
  const {x, rois} = featuresAndRois(opName, args.x, args.rois);
  const {outputDim, groupSize} = args;
  checkArg(
    Number.isInteger(outputDim) && outputDim >= 1,
    opName,
    `outputDim must be a positive integer, got ${outputDim}`,
  );
  checkArg(
    Number.isInteger(groupSize) && groupSize >= 1,
    opName,
    `groupSize must be a positive integer, got ${groupSize}`,
  );
  checkArg(
    x.shape[3] === outputDim * groupSize * groupSize,
    opName,
    `x must have outputDim * groupSize² = ${outputDim * groupSize * groupSize} channels, got ${x.shape[3]}`,
  );
  const outputSize = outputSizeArg(opName, 'outputSize', args.outputSize);
  const partSize = pair(opName, 'partSize', args.partSize ?? outputSize);
  const samplesPerPart = args.samplesPerPart ?? 4;
  checkArg(
    Number.isInteger(samplesPerPart) && samplesPerPart >= 1,
    opName,
    `samplesPerPart must be a positive integer, got ${samplesPerPart}`,
  );
  const attrs: DeformPSRoIPoolAttrs = {
    outputDim,
    groupSize,
    outputSize,
    partSize,
    samplesPerPart,
    spatialScale: finiteArg(opName, 'spatialScale', args.spatialScale ?? 1),
    transStd: finiteArg(opName, 'transStd', args.transStd ?? 0),
  };
  // No offset (or noTrans) is a zero offset of one class: the kernels always take one.
  let offset = zeros([rois.shape[0], ...partSize, 2]);
  if (args.offset != null && !args.noTrans) {
    offset = floatTensorArg(opName, 'offset', args.offset, [4]);
    const [r, h, w, c] = offset.shape;
    checkArg(
      r === rois.shape[0] && h === partSize[0] && w === partSize[1] && c % 2 === 0 && c > 0,
      opName,
      `offset must have shape [${rois.shape[0]}, ${partSize}, 2 * classes], got [${offset.shape}]`,
    );
    checkArg(
      outputDim % (c / 2) === 0,
      opName,
      `outputDim (${outputDim}) must be divisible by the offset's ${c / 2} classes`,
    );
  }
  checkAllocatable(opName, 'the output', [rois.shape[0], ...outputSize, outputDim]);
  return engine().runKernel(DeformPSRoIPool, {x, rois, offset}, {...attrs}) as Tensor4D;
}

export const deformPsRoiPool = op({deformPsRoiPool_});
