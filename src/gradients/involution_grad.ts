/** Gradient of `Involution`, backed by `InvolutionBackpropInput` (dx and dKernel). */
import {engine, GradConfig, NamedAttrMap, Tensor} from '@tensorflow/tfjs-core';

import {Involution, InvolutionBackpropInput} from '../kernel_names';

export const involutionGradConfig: GradConfig = {
  kernelName: Involution,
  inputsToSave: ['x', 'kernel'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x, kernel] = saved;
    // One kernel returns both; what no thunk asks for is disposed with the backward scope.
    const [dx, dKernel] = engine().runKernel(
      InvolutionBackpropInput,
      {x, kernel, dy: dy as Tensor},
      attrs,
    ) as Tensor[];
    return {x: () => dx, kernel: () => dKernel};
  },
};
