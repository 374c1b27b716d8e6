import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {maxColumnElements} from '../../flags';
import {DeformConv2DBackpropFilter, DeformConv2DBackpropFilterAttrs, DeformConv2DBackpropFilterInputs} from '../../kernel_names';
import {deformConv2dBackpropFilter} from '../reference/deform_conv2d';
import {deformConvArgs, values} from './cpu_util';

const backpropFilter: KernelFunc = ({inputs, backend, attrs}) => {
  const cpu = backend as MathBackendCPU;
  const {x, offset, mask, dy} =
      inputs as DeformConv2DBackpropFilterInputs&{mask?: TensorInfo};
  const {filterShape} = attrs as unknown as DeformConv2DBackpropFilterAttrs;
  const {info, arrays} =
      deformConvArgs(cpu, x, filterShape, offset, mask, attrs!);
  const dFilter = deformConv2dBackpropFilter(
      info, arrays, values(cpu, dy), maxColumnElements());
  return cpu.makeTensorInfo(filterShape, 'float32', dFilter);
};

export const deformConv2DBackpropFilterConfig: KernelConfig = {
  kernelName: DeformConv2DBackpropFilter,
  backendName: 'cpu',
  kernelFunc: backpropFilter,
};
