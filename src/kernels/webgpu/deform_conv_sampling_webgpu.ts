/**
 * The deformable-convolution sampling passes on the webgpu backend
 * (deform_conv_programs.ts); the input gradient adds every chunk into the
 * same `dx` in place.
 */
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import type {DeformConvSampling} from '../deform_conv_sampling';
import {col2imProgram, coordGradProgram, im2colProgram} from './deform_conv_programs';
import {runProgram, zeros} from './program_util';

export const webgpuSampling: DeformConvSampling = {
  im2col(backend, info, x, offset, mask, rowStart, rowCount) {
    const inputs = mask == null ? [x, offset] : [x, offset, mask];
    return runProgram(
      backend as WebGPUBackend,
      im2colProgram(info, rowCount, mask != null),
      inputs,
      rowStart,
    );
  },

  col2im(backend, info, dCols, offset, mask, rowStart, rowCount, dx) {
    const webgpu = backend as WebGPUBackend;
    const target =
      dx ?? zeros(webgpu, [info.batchSize, info.inHeight, info.inWidth, info.inChannels]);
    const inputs = mask == null ? [dCols, offset] : [dCols, offset, mask];
    return runProgram(
      webgpu,
      col2imProgram(info, rowCount, mask != null),
      inputs,
      rowStart,
      target,
    );
  },

  coordGrad(backend, info, dCols, x, offset, mask, rowStart, rowCount) {
    // The mask gradient does not read the mask (a program must use every input it binds).
    const gradient = (target: 'offset' | 'mask', withMask: boolean) =>
      runProgram(
        backend as WebGPUBackend,
        coordGradProgram(info, rowCount, withMask, target),
        withMask ? [dCols, x, offset, mask!] : [dCols, x, offset],
        rowStart,
      );
    return mask == null
      ? [gradient('offset', false)]
      : [gradient('offset', true), gradient('mask', false)];
  },
};
