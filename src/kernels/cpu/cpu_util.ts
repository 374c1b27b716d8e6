/** Access to the cpu backend's tensor data, shared by the cpu kernels. */
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';
import type {NamedAttrMap, TensorInfo} from '@tensorflow/tfjs-core';

import type {DeformConv2DAttrs} from '../../kernel_names';
import {computeDeformConvInfo, DeformConvInfo} from '../../ops/deform_conv_util';
import type {DeformConvArrays} from '../reference/deform_conv2d';

export function values(backend: MathBackendCPU, t: TensorInfo): Float32Array {
  return backend.data.get(t.dataId).values as Float32Array;
}

export function optionalValues(
    backend: MathBackendCPU, t: TensorInfo|undefined): Float32Array|null {
  return t == null ? null : values(backend, t);
}

/** Shape info and the sampler's input arrays of any deformable-conv kernel. */
export function deformConvArgs(
    backend: MathBackendCPU, x: TensorInfo, filterShape: number[],
    offset: TensorInfo, mask: TensorInfo|undefined,
    attrs: NamedAttrMap): {info: DeformConvInfo, arrays: DeformConvArrays} {
  const info = computeDeformConvInfo(
      x.shape, filterShape, attrs as unknown as DeformConv2DAttrs);
  const arrays = {
    x: values(backend, x),
    offset: values(backend, offset),
    mask: optionalValues(backend, mask),
  };
  return {info, arrays};
}
