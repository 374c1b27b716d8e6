import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {maxColumnElements} from '../../flags';
import {DeformConv2D, ModulatedDeformConv2DInputs} from '../../kernel_names';
import {deformConv2dForward} from '../reference/deform_conv2d';
import {deformConvArgs, optionalValues, values} from './cpu_util';

/** Forward of both ops (DCNv1 when `mask` is absent). */
export const deformConv2dCpu: KernelFunc = ({inputs, backend, attrs}) => {
  const cpu = backend as MathBackendCPU;
  const {x, filter, offset, mask, bias} =
      inputs as Partial<ModulatedDeformConv2DInputs>&{bias?: TensorInfo};
  const {info, arrays} =
      deformConvArgs(cpu, x!, filter!.shape, offset!, mask, attrs!);
  const y = deformConv2dForward(
      info, arrays, values(cpu, filter!), optionalValues(cpu, bias),
      maxColumnElements());
  return cpu.makeTensorInfo(
      [info.batchSize, info.outHeight, info.outWidth, info.outChannels],
      'float32', y);
};

export const deformConv2DConfig: KernelConfig = {
  kernelName: DeformConv2D,
  backendName: 'cpu',
  kernelFunc: deformConv2dCpu,
};
