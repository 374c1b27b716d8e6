import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {Involution} from '../../kernel_names';
import {computeInvolutionInfo} from '../../shape/involution';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {involutionProgram} from './involution_programs';
import {runProgram} from './program_util';

const involution: TypedKernelFunc<typeof Involution, WebGPUBackend> = ({
  inputs,
  backend,
  attrs,
}) => {
  const {x, kernel} = inputs;
  return runProgram(backend, involutionProgram(computeInvolutionInfo(x.shape, attrs)), [x, kernel]);
};

export const involutionConfig = typedKernelConfig(Involution, 'webgpu', involution);
