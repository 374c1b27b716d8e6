/** Argument checks shared by the deformable RoI pooling ops. */
import {engine, Tensor, Tensor2D, Tensor4D} from '@tensorflow/tfjs-core';
import type {TensorLike} from '@tensorflow/tfjs-core';

import {checkArg} from '../check_arg';
import {floatTensorArg, pair} from './op_util';

export type TensorArg = Tensor | TensorLike;

/**
 * The RoIs' values where a synchronous read is possible: always, but on
 * webgpu, where a synchronous read of GPU data stalls the page (and, in
 * headless Chromium, loses the device); there only RoIs whose values are
 * still on the host (not yet used by a GPU program) are read.
 */
function hostValues(rois: Tensor2D): ArrayLike<number> | null {
  if (engine().backendName !== 'webgpu') {
    return rois.dataSync();
  }
  const backend = engine().backend as unknown as {
    tensorMap: {get(dataId: object): {values?: ArrayLike<number> | null} | undefined};
  };
  return backend.tensorMap.get(rois.dataId)?.values ?? null;
}

/**
 * Features `[N, H, W, C]` and RoIs `[R, 5]` rows `(batchIndex, x1, y1, x2,
 * y2)`. The batch indices are read back (a small synchronous read of the
 * RoIs) so that one outside `[0, N)` is an error naming the RoI. Where they
 * cannot be read (RoIs computed on webgpu), the kernels pool nothing for
 * such a RoI: they never read outside the features.
 */
export function featuresAndRois(
  opName: string,
  xArg: TensorArg,
  roisArg: TensorArg,
): {x: Tensor4D; rois: Tensor2D} {
  const x = floatTensorArg(opName, 'x', xArg, [4]) as Tensor4D;
  const rois = floatTensorArg(opName, 'rois', roisArg, [2]) as Tensor2D;
  checkArg(
    rois.shape[1] === 5,
    opName,
    `rois must have shape [R, 5] (batchIndex, x1, y1, x2, y2), got [${rois.shape}]`,
  );
  checkArg(x.size > 0, opName, `x must not be empty, got shape [${x.shape}]`);
  const values = hostValues(rois);
  for (let r = 0; values != null && r < rois.shape[0]; r++) {
    const batch = Math.trunc(values[5 * r]);
    checkArg(
      batch >= 0 && batch < x.shape[0],
      opName,
      `RoI ${r} has batch index ${values[5 * r]}, outside [0, ${x.shape[0]})`,
    );
  }
  return {x, rois};
}

/** A positive output size (number or `[h, w]`). */
export function outputSizeArg(
  opName: string,
  name: string,
  value: number | [number, number] | undefined,
): [number, number] {
  checkArg(value != null, opName, `${name} is required`);
  return pair(opName, name, value);
}

/** A per-bin tensor (offset, mask) of the given shape. */
export function perBinArg(
  opName: string,
  name: string,
  value: TensorArg,
  expected: number[],
): Tensor4D {
  const t = floatTensorArg(opName, name, value, [4]) as Tensor4D;
  checkArg(
    t.shape.every((d, i) => d === expected[i]),
    opName,
    `${name} must have shape [${expected}], got [${t.shape}]`,
  );
  return t;
}

export function finiteArg(opName: string, name: string, value: number): number {
  checkArg(Number.isFinite(value), opName, `${name} must be a finite number, got ${value}`);
  return value;
}
