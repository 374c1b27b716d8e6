import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {InvolutionBackpropInput} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeInvolutionInfo} from '../../shape/involution';
import {involutionBackpropKernel, involutionBackpropX} from '../reference/involution';
import {values} from './cpu_util';

const involutionBackpropInput: TypedKernelFunc<typeof InvolutionBackpropInput, MathBackendCPU> = ({
  inputs,
  backend: cpu,
  attrs,
}) => {
  const {x, kernel, dy} = inputs;
  const info = computeInvolutionInfo(x.shape, attrs);
  return [
    cpu.makeTensorInfo(
      x.shape,
      'float32',
      involutionBackpropX(info, values(cpu, kernel), values(cpu, dy)),
    ),
    cpu.makeTensorInfo(
      kernel.shape,
      'float32',
      involutionBackpropKernel(info, values(cpu, x), values(cpu, dy)),
    ),
  ];
};

export const involutionBackpropInputConfig = typedKernelConfig(
  InvolutionBackpropInput,
  'cpu',
  involutionBackpropInput,
);
