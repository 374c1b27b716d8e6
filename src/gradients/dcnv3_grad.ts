/** Gradient of `DCNv3`, backed by `DCNv3BackpropInput` (dx, dOffset and dMask from one pass). */
import {engine, GradConfig, NamedAttrMap, Tensor} from '@tensorflow/tfjs-core';

import {DCNv3, DCNv3BackpropInput} from '../kernel_names';

export const dcnv3GradConfig: GradConfig = {
  kernelName: DCNv3,
  inputsToSave: ['x', 'offset', 'mask'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x, offset, mask] = saved;
    // Run here, not in the thunks: one pass gives all three; what no thunk
    // asks for is disposed with the engine's backward scope.
    const [dx, dOffset, dMask] = engine().runKernel(
      DCNv3BackpropInput,
      {x, offset, mask, dy: dy as Tensor},
      attrs,
    ) as Tensor[];
    return {x: () => dx, offset: () => dOffset, mask: () => dMask};
  },
};
