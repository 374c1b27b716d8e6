/**
 * Gradients of the deformable RoI poolings, backed by their backward
 * kernels. RoIs are not differentiable: their gradient is zero.
 */
import {engine, GradConfig, mul, NamedAttrMap, sum, Tensor, zerosLike} from '@tensorflow/tfjs-core';

import {
  DeformPSRoIPool,
  DeformPSRoIPoolBackprop,
  DeformRoIPool,
  DeformRoIPoolBackprop,
  ModulatedDeformRoIPool,
} from '../kernel_names';

/**
 * The gradient map of a pooling without mask: `[dx, dOffset]` from its
 * backward kernel, run here rather than in the thunks (one pass gives both;
 * what no thunk asks for is disposed with the engine's backward scope).
 */
function poolGrads(
  backprop: string,
  x: Tensor,
  rois: Tensor,
  offset: Tensor,
  dy: Tensor,
  attrs: NamedAttrMap,
) {
  const [dx, dOffset] = engine().runKernel(backprop, {x, rois, offset, dy}, attrs) as Tensor[];
  return {x: () => dx, rois: () => zerosLike(rois), offset: () => dOffset};
}

function poolGradConfig(kernelName: string, backprop: string): GradConfig {
  return {
    kernelName,
    inputsToSave: ['x', 'rois', 'offset'],
    gradFunc: (dy, saved, attrs) => {
      const [x, rois, offset] = saved;
      return poolGrads(backprop, x, rois, offset, dy as Tensor, attrs);
    },
  };
}

export const deformRoIPoolGradConfig = poolGradConfig(DeformRoIPool, DeformRoIPoolBackprop);
export const deformPSRoIPoolGradConfig = poolGradConfig(DeformPSRoIPool, DeformPSRoIPoolBackprop);

/** out = pool(x, offset) * mask: the pool's gradients of `dy * mask`, and `dMask = Σ_c dy * pool`. */
export const modulatedDeformRoIPoolGradConfig: GradConfig = {
  kernelName: ModulatedDeformRoIPool,
  inputsToSave: ['x', 'rois', 'offset', 'mask'],
  gradFunc: (dy, saved, attrs) => {
    const [x, rois, offset, mask] = saved;
    const pooled = engine().runKernel(DeformRoIPool, {x, rois, offset}, attrs) as Tensor;
    return {
      ...poolGrads(DeformRoIPoolBackprop, x, rois, offset, mul(dy as Tensor, mask), attrs),
      mask: () => sum(mul(dy as Tensor, pooled), 3, true),
    };
  },
};
