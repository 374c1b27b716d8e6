import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {KernelConfig, KernelFunc} from '@tensorflow/tfjs-core';

import {Involution, InvolutionAttrs, InvolutionInputs} from '../../kernel_names';
import {computeInvolutionInfo} from '../../ops/involution_util';
import {InvolutionProgram} from './involution_gpu';
import {runProgram} from './program_util';

const involution: KernelFunc = ({inputs, backend, attrs}) => {
  const {x, kernel} = inputs as InvolutionInputs;
  const info = computeInvolutionInfo(x.shape, attrs as unknown as InvolutionAttrs);
  return runProgram(backend as MathBackendWebGL, new InvolutionProgram(info), [x, kernel]);
};

export const involutionConfig: KernelConfig = {
  kernelName: Involution,
  backendName: 'webgl',
  kernelFunc: involution,
};
