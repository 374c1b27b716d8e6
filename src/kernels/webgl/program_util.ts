/** Running our GPGPU programs on the webgl backend, shared by every op. */
import type {GPGPUProgram, MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import {getKernel, TensorInfo} from '@tensorflow/tfjs-core';

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
  const sum = getKernel('Add', 'webgl')!.kernelFunc({
    inputs: {a, b},
    backend,
    attrs: {},
  }) as TensorInfo;
  backend.disposeIntermediateTensorInfo(a);
  backend.disposeIntermediateTensorInfo(b);
  return sum;
}
