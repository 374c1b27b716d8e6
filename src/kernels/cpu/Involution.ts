import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';
import type {KernelConfig, KernelFunc} from '@tensorflow/tfjs-core';

import {Involution, InvolutionAttrs, InvolutionInputs} from '../../kernel_names';
import {computeInvolutionInfo} from '../../ops/involution_util';
import {involutionForward} from '../reference/involution';
import {values} from './cpu_util';

const involution: KernelFunc = ({inputs, backend, attrs}) => {
  const cpu = backend as MathBackendCPU;
  const {x, kernel} = inputs as InvolutionInputs;
  const info = computeInvolutionInfo(x.shape, attrs as unknown as InvolutionAttrs);
  const y = involutionForward(info, values(cpu, x), values(cpu, kernel));
  return cpu.makeTensorInfo(
    [info.batchSize, info.outHeight, info.outWidth, info.inChannels],
    'float32',
    y,
  );
};

export const involutionConfig: KernelConfig = {
  kernelName: Involution,
  backendName: 'cpu',
  kernelFunc: involution,
};
