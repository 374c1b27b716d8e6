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
      // serves dx, dOffset and dMask, and the backend may sample the columns
      // for the filter gradient in the same walk (kept until the filter's
      // thunk, or the end of the backward pass where no thunk asks for it).
      // Results no thunk asks for are disposed with the engine's backward scope.
      const [dx, dOffset, ...rest] = engine().runKernel(
        DeformConv2DBackpropInput,
        {...sampled, filter, dy: dy as Tensor},
        {...attrs, keepColumns: true},
      ) as Tensor[];
      const dMask = withMask ? rest.shift() : undefined;
      const columns = rest.shift();
      return {
        x: () => dx,
        offset: () => dOffset,
        ...(withMask ? {mask: () => dMask!} : {}),
        filter: () => {
          const dFilter = engine().runKernel(
            DeformConv2DBackpropFilter,
            {...sampled, dy: dy as Tensor, ...(columns == null ? {} : {columns})},
            {...attrs, filterShape: filter.shape},
          ) as Tensor;
          columns?.dispose();
          return dFilter;
        },
        bias: () => sum(dy as Tensor, [0, 1, 2]),
      };
    },
  };
}

export const deformConv2DGradConfig = deformConvGradConfig(DeformConv2D, false);
export const modulatedDeformConv2DGradConfig = deformConvGradConfig(ModulatedDeformConv2D, true);
