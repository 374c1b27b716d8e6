/**
 * Gradients of `DeformConv2D` and `ModulatedDeformConv2D`, backed by the
 * backward kernels `DeformConv2DBackpropInput` (x, offset, mask) and
 * `DeformConv2DBackpropFilter`.
 */
import {engine, GradConfig, NamedAttrMap, NamedTensorMap, sum, Tensor} from '@tensorflow/tfjs-core';

import {
  DeformConv2D,
  DeformConv2DBackpropFilter,
  DeformConv2DBackpropInput,
  ModulatedDeformConv2D,
} from '../kernel_names';

function deformConvGradConfig(kernelName: string, withMask: boolean): GradConfig {
  return {
    kernelName,
    inputsToSave: withMask ? ['x', 'filter', 'offset', 'mask'] : ['x', 'filter', 'offset'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const [x, filter, offset, mask] = saved;
      const sampled: NamedTensorMap = withMask ? {x, offset, mask} : {x, offset};
      // Run here rather than inside the thunks: one column-gradient GEMM
      // serves dx, dOffset and dMask. Results no thunk asks for are disposed
      // with the engine's backward scope.
      const [dx, dOffset, dMask] = engine().runKernel(
        DeformConv2DBackpropInput,
        {...sampled, filter, dy: dy as Tensor},
        attrs,
      ) as Tensor[];
      return {
        x: () => dx,
        offset: () => dOffset,
        ...(withMask ? {mask: () => dMask} : {}),
        filter: () =>
          engine().runKernel(
            DeformConv2DBackpropFilter,
            {...sampled, dy: dy as Tensor},
            {...attrs, filterShape: filter.shape},
          ) as Tensor,
        bias: () => sum(dy as Tensor, [0, 1, 2]),
      };
    },
  };
}

export const deformConv2DGradConfig = deformConvGradConfig(DeformConv2D, false);
export const modulatedDeformConv2DGradConfig = deformConvGradConfig(ModulatedDeformConv2D, true);
