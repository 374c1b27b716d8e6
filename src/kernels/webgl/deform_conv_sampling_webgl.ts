/**
 * The deformable-convolution sampling passes on the webgl backend: GPGPU
 * programs for the gathers (im2col, offset and mask gradients) and a
 * blending scatter for the input gradient (col2im_blend.ts; later chunks are
 * added by the backend's Add), with a cpu fallback where float targets
 * cannot blend. Programs bake the shapes into their code and take the
 * chunk's first row as a uniform, so every chunk of a call (but a shorter
 * last one) runs the same compiled program.
 */
import type {GPGPUProgram, MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import {env, getKernel, TensorInfo} from '@tensorflow/tfjs-core';

import type {DeformConvSampling} from '../deform_conv_sampling';
import {blendableFormat, scatterByBlending} from './col2im_blend';
import {col2imOnCpu} from './col2im_cpu_fallback';
import {DeformCoordGradProgram} from './deform_coord_grad_gpu';
import {DeformIm2ColProgram} from './deform_im2col_gpu';
import {ScatterGeometryProgram} from './scatter_geometry_gpu';
import {ScatterValuesProgram} from './scatter_values_gpu';

/** Runs a program whose custom uniforms are `[rowStart]` (or none). */
function run(
    backend: MathBackendWebGL, program: GPGPUProgram, inputs: TensorInfo[],
    rowStart: number): TensorInfo {
  return backend.runWebGLProgram(
      program, inputs, 'float32',
      program.customUniforms == null ? undefined : [[rowStart]]);
}

function withMask(inputs: TensorInfo[], mask: TensorInfo|null): TensorInfo[] {
  return mask == null ? inputs : [...inputs, mask];
}

/** `a + b`, by the backend's own kernel; disposes both. */
function addAndDispose(
    backend: MathBackendWebGL, a: TensorInfo, b: TensorInfo): TensorInfo {
  const sum = getKernel('Add', 'webgl')!.kernelFunc(
                  {inputs: {a, b}, backend, attrs: {}}) as TensorInfo;
  backend.disposeIntermediateTensorInfo(a);
  backend.disposeIntermediateTensorInfo(b);
  return sum;
}

/**
 * Scatter geometry values per chunk: the scatter draws 6 vertices per value
 * and `gl_VertexID` is an int32.
 */
const MAX_SCATTER_GEOMETRY = 2 ** 26;

export const webglSampling: DeformConvSampling = {
  maxColumnElements(_backend, info) {
    // A logical shape of up to maxSize² elements always squarifies into one
    // texture. Per output position: K C column entries, 4 D K scatter
    // geometry values.
    const maxSize = env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
    const columns = info.kernelSize * info.inChannels;
    const geometry = 4 * info.offsetGroups * info.kernelSize;
    const rows = Math.min(
        maxSize * maxSize / Math.max(columns, geometry),
        MAX_SCATTER_GEOMETRY / geometry);
    return Math.floor(rows) * columns;
  },

  im2col(backend, info, x, offset, mask, rowStart, rowCount) {
    return run(
        backend as MathBackendWebGL,
        new DeformIm2ColProgram(info, rowCount, mask != null),
        withMask([x, offset], mask), rowStart);
  },

  col2im(backend, info, dCols, offset, mask, rowStart, rowCount, dx) {
    const webgl = backend as MathBackendWebGL;
    const format = blendableFormat(webgl);
    if (format == null) {
      return col2imOnCpu(
          webgl, info, dCols, offset, mask, rowStart, rowCount, dx);
    }
    const geometry = run(
        webgl, new ScatterGeometryProgram(info, rowCount), [offset], rowStart);
    const values = run(
        webgl, new ScatterValuesProgram(info, rowCount, mask != null),
        withMask([dCols], mask), rowStart);
    let part: TensorInfo;
    try {
      part = scatterByBlending(
          webgl, info, format, {values, geometry, rowStart, rowCount});
    } finally {
      webgl.disposeIntermediateTensorInfo(geometry);
      webgl.disposeIntermediateTensorInfo(values);
    }
    return dx == null ? part : addAndDispose(webgl, dx, part);
  },

  coordGrad(backend, info, dCols, x, offset, mask, rowStart, rowCount) {
    const webgl = backend as MathBackendWebGL;
    const inputs = withMask([dCols, x, offset], mask);
    const gradient = (target: 'offset'|'mask') => run(
        webgl, new DeformCoordGradProgram(info, rowCount, mask != null, target),
        inputs, rowStart);
    return mask == null ? [gradient('offset')] :
                          [gradient('offset'), gradient('mask')];
  },
};
