/**
 * The input gradients' scatters where the GPU cannot blend float render
 * targets (WebGL1, or float32 targets without EXT_float_blend): a round trip
 * through the op's reference loop. Slow (it downloads the inputs) but exact;
 * the default path never takes it.
 */
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import {TensorInfo, util} from '@tensorflow/tfjs-core';

/** `dx` (disposed; zeros when null) plus what `add` scatters from the downloaded inputs, as a new tensor. */
export function addOnCpu(
  backend: MathBackendWebGL,
  shape: number[],
  {inputs, add}: {inputs: TensorInfo[]; add(values: Float32Array[], dx: Float32Array): void},
  dx: TensorInfo | null,
): TensorInfo {
  const read = (t: TensorInfo) => backend.readSync(t.dataId) as Float32Array;
  const sum =
    dx == null ? new Float32Array(util.sizeFromShape(shape)) : Float32Array.from(read(dx));
  add(inputs.map(read), sum);
  if (dx != null) {
    backend.disposeIntermediateTensorInfo(dx);
  }
  return backend.makeTensorInfo(shape, 'float32', sum);
}
