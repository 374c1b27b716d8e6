import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {InvolutionAttrs, InvolutionBackpropInput, InvolutionInputs} from '../../kernel_names';
import {computeInvolutionInfo} from '../../ops/involution_util';
import {involutionBackpropKernel, involutionBackpropX} from '../reference/involution';
import {values} from './cpu_util';

const involutionBackpropInput: KernelFunc = ({inputs, backend, attrs}) => {
  const cpu = backend as MathBackendCPU;
  const {x, kernel, dy} = inputs as InvolutionInputs & {dy: TensorInfo};
  const info = computeInvolutionInfo(x.shape, attrs as unknown as InvolutionAttrs);
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

export const involutionBackpropInputConfig: KernelConfig = {
  kernelName: InvolutionBackpropInput,
  backendName: 'cpu',
  kernelFunc: involutionBackpropInput,
};
