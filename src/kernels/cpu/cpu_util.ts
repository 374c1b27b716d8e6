/** Access to the cpu backend's tensor data, shared by the cpu kernels. */
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';
import type {TensorInfo} from '@tensorflow/tfjs-core';

export function values(backend: MathBackendCPU, t: TensorInfo): Float32Array {
  return backend.data.get(t.dataId).values as Float32Array;
}

export function optionalValues(backend: MathBackendCPU, t: TensorInfo | null): Float32Array | null {
  return t == null ? null : values(backend, t);
}
