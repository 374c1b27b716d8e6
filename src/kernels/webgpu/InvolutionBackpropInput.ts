import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {InvolutionBackpropInput} from '../../kernel_names';
import {computeInvolutionInfo} from '../../shape/involution';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {involutionInputGradProgram, involutionKernelGradProgram} from './involution_programs';
import {runProgram} from './program_util';

const involutionBackpropInput: TypedKernelFunc<typeof InvolutionBackpropInput, WebGPUBackend> = ({
  inputs,
  backend,
  attrs,
}) => {
  const {x, kernel, dy} = inputs;
  const info = computeInvolutionInfo(x.shape, attrs);
  return [
    runProgram(backend, involutionInputGradProgram(info), [kernel, dy]),
    runProgram(backend, involutionKernelGradProgram(info), [x, dy]),
  ];
};

export const involutionBackpropInputConfig = typedKernelConfig(
  InvolutionBackpropInput,
  'webgpu',
  involutionBackpropInput,
);
