/**
 * The deformable-convolution sampling passes on the webgl backend: GPGPU
 * programs for the gathers (im2col, offset and mask gradients) and a
 * blending scatter for the input gradient (col2im_blend.ts; later chunks are
 * added by the backend's Add), with a cpu fallback where float targets
 * cannot blend. Programs bake the shapes into their code and take the
 * chunk's first row as a uniform, so every chunk of a call (but a shorter
 * last one) runs the same compiled program.
 */
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import {env, TensorInfo} from '@tensorflow/tfjs-core';

import type {DeformConvSampling} from '../deform_conv_sampling';
import {blendableFormat} from './col2im_blend';
import {col2imOnCpu} from './col2im_cpu_fallback';
import {deformConvScatterLayout, deformConvScatterSources} from './deform_conv_scatter';
import {DeformCoordGradProgram} from './deform_coord_grad_gpu';
import {DeformIm2ColProgram} from './deform_im2col_gpu';
import {runProgram} from './program_util';
import {maxScatterRows, scatterChunk} from './scatter';

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
    const webgl = backend as MathBackendWebGL;
    const format = blendableFormat(webgl);
    if (format == null) {
      return col2imOnCpu(webgl, info, dCols, offset, mask, rowStart, rowCount, dx);
    }
    return scatterChunk(
      webgl,
      deformConvScatterLayout(info),
      format,
      deformConvScatterSources(info, dCols, offset, mask),
      rowStart,
      rowCount,
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
