import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {maxColumnElements} from '../../flags';
import {DeformConv2DBackpropInput, DeformConv2DBackpropInputInputs} from '../../kernel_names';
import {deformConv2dBackpropInput} from '../reference/deform_conv2d';
import {deformConvArgs, values} from './cpu_util';

const backpropInput: KernelFunc = ({inputs, backend, attrs}) => {
  const cpu = backend as MathBackendCPU;
  const {x, filter, offset, mask, dy} =
      inputs as DeformConv2DBackpropInputInputs&{mask?: TensorInfo};
  const {info, arrays} =
      deformConvArgs(cpu, x, filter.shape, offset, mask, attrs!);
  const {dx, dOffset, dMask} = deformConv2dBackpropInput(
      info, arrays, values(cpu, filter), values(cpu, dy),
      maxColumnElements());
  const grads = [
    cpu.makeTensorInfo(x.shape, 'float32', dx),
    cpu.makeTensorInfo(offset.shape, 'float32', dOffset),
  ];
  if (dMask != null) {
    grads.push(cpu.makeTensorInfo(mask!.shape, 'float32', dMask));
  }
  return grads;
};

export const deformConv2DBackpropInputConfig: KernelConfig = {
  kernelName: DeformConv2DBackpropInput,
  backendName: 'cpu',
  kernelFunc: backpropInput,
};
