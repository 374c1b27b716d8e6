import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {Involution} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeInvolutionInfo} from '../../shape/involution';
import {involutionForward} from '../reference/involution';
import {values} from './cpu_util';

const involution: TypedKernelFunc<typeof Involution, MathBackendCPU> = ({
  inputs,
  backend: cpu,
  attrs,
}) => {
  const {x, kernel} = inputs;
  const info = computeInvolutionInfo(x.shape, attrs);
  const y = involutionForward(info, values(cpu, x), values(cpu, kernel));
  return cpu.makeTensorInfo(
    [info.batchSize, info.outHeight, info.outWidth, info.inChannels],
    'float32',
    y,
  );
};

export const involutionConfig = typedKernelConfig(Involution, 'cpu', involution);
