/**
 * The input gradients' scatters where the GPU cannot blend float render
 * targets (WebGL1, or float32 targets without EXT_float_blend): a round trip
 * through the cpu reference loops. Slow (it downloads the inputs) but exact;
 * the default path never takes it.
 */
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import type {DeformConvInfo} from '../../shape/deform_conv';
import {deformCol2im} from '../reference/deform_sampling';

export function col2imOnCpu(
  backend: MathBackendWebGL,
  info: DeformConvInfo,
  dCols: TensorInfo,
  offset: TensorInfo,
  mask: TensorInfo | null,
  rowStart: number,
  rowCount: number,
  dx: TensorInfo | null,
): TensorInfo {
  const read = (t: TensorInfo) => backend.readSync(t.dataId) as Float32Array;
  const shape = [info.batchSize, info.inHeight, info.inWidth, info.inChannels];
  const accumulated =
    dx == null ? new Float32Array(shape.reduce((a, b) => a * b)) : Float32Array.from(read(dx));
  deformCol2im(
    info,
    read(dCols),
    read(offset),
    mask == null ? null : read(mask),
    rowStart,
    rowCount,
    accumulated,
  );
  if (dx != null) {
    backend.disposeIntermediateTensorInfo(dx);
  }
  return backend.makeTensorInfo(shape, 'float32', accumulated);
}

/**
 * A new `[N, H, W, C]` tensor computed by a reference loop from the
 * downloaded `inputs` (the ops other than DCNv1/v2, which scatter in one
 * pass).
 */
export function scatterOnCpu(
  backend: MathBackendWebGL,
  shape: number[],
  inputs: TensorInfo[],
  compute: (values: Float32Array[]) => Float32Array,
): TensorInfo {
  const values = inputs.map(t => backend.readSync(t.dataId) as Float32Array);
  return backend.makeTensorInfo(shape, 'float32', compute(values));
}
