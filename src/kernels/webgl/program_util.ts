/** Running our GPGPU programs on the webgl backend, shared by every op. */
import type {GPGPUProgram, MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {runBackendKernel} from '../kernel_util';

/** Runs a program whose custom uniforms are `[rowStart]` (or none). */
export function runProgram(
  backend: MathBackendWebGL,
  program: GPGPUProgram,
  inputs: TensorInfo[],
  rowStart = 0,
): TensorInfo {
  return backend.runWebGLProgram(
    program,
    inputs,
    'float32',
    program.customUniforms == null ? undefined : [[rowStart]],
  );
}

/** `a + b`, by the backend's own kernel; disposes both. */
export function addAndDispose(backend: MathBackendWebGL, a: TensorInfo, b: TensorInfo): TensorInfo {
  const sum = runBackendKernel(backend, 'Add', {a, b});
  backend.disposeIntermediateTensorInfo(a);
  backend.disposeIntermediateTensorInfo(b);
  return sum;
}
