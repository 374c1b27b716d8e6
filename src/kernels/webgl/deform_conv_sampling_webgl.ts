/**
 * The deformable-convolution sampling passes on the webgl backend: GPGPU
 * programs for the gathers (im2col, offset and mask gradients) and a
 * scatter for the input gradient (scatter/index.ts). Programs bake the shapes into their code and take the
 * chunk's first row as a uniform, so every chunk of a call (but a shorter
 * last one) runs the same compiled program.
 */
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import {env, TensorInfo} from '@tensorflow/tfjs-core';

import type {DeformConvSampling} from '../deform_conv_sampling';
import {deformCol2im} from '../reference/deform_sampling';
import {deformConvScatterLayout, deformConvScatterSources} from './deform_conv_scatter';
import {DeformCoordGradProgram} from './deform_coord_grad_gpu';
import {DeformIm2ColProgram} from './deform_im2col_gpu';
import {runProgram} from './program_util';
import {maxScatterRows, scatterInputGradient} from './scatter/index';

function withMask(inputs: TensorInfo[], mask: TensorInfo | null): TensorInfo[] {
  return mask == null ? inputs : [...inputs, mask];
}

export const webglSampling: DeformConvSampling = {
  maxColumnElements(_backend, info) {
    // A logical shape of up to maxSize² elements always squarifies into one
    // texture: K C column entries per output position, and the scatter's own
    // textures.
    const maxSize = env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
    const columns = info.taps * info.inChannels;
    const rows = Math.min(
      Math.floor((maxSize * maxSize) / columns),
      maxScatterRows(deformConvScatterLayout(info)),
    );
    return rows * columns;
  },

  im2col(backend, info, x, offset, mask, rowStart, rowCount) {
    return runProgram(
      backend as MathBackendWebGL,
      new DeformIm2ColProgram(info, rowCount, mask != null),
      withMask([x, offset], mask),
      rowStart,
    );
  },

  col2im(backend, info, dCols, offset, mask, rowStart, rowCount, dx) {
    const shape = [info.batchSize, info.inHeight, info.inWidth, info.inChannels];
    return scatterInputGradient(
      backend as MathBackendWebGL,
      {
        shape,
        rowStart,
        rowCount,
        onGpu: () => ({
          layout: deformConvScatterLayout(info),
          sources: deformConvScatterSources(info, dCols, offset, mask),
        }),
        onCpu: {
          inputs: withMask([dCols, offset], mask),
          add: ([dCols, offset, mask], dx) =>
            deformCol2im(info, dCols, offset, mask ?? null, rowStart, rowCount, dx),
        },
      },
      dx,
    );
  },

  coordGrad(backend, info, dCols, x, offset, mask, rowStart, rowCount) {
    const webgl = backend as MathBackendWebGL;
    const inputs = withMask([dCols, x, offset], mask);
    const gradient = (target: 'offset' | 'mask') =>
      runProgram(
        webgl,
        new DeformCoordGradProgram(info, rowCount, mask != null, target),
        inputs,
        rowStart,
      );
    return mask == null ? [gradient('offset')] : [gradient('offset'), gradient('mask')];
  },
};
