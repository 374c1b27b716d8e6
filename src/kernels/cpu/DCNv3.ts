import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {DCNv3} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeDCNv3Info} from '../../shape/dcnv3';
import {dcnv3Forward} from '../reference/dcnv3';
import {values} from './cpu_util';

const dcnv3: TypedKernelFunc<typeof DCNv3, MathBackendCPU> = ({inputs, backend: cpu, attrs}) => {
  const {x, offset, mask} = inputs;
  const info = computeDCNv3Info(x.shape, attrs);
  const y = dcnv3Forward(info, values(cpu, x), values(cpu, offset), values(cpu, mask));
  return cpu.makeTensorInfo(
    [info.batchSize, info.outHeight, info.outWidth, info.inChannels],
    'float32',
    y,
  );
};

export const dcnv3Config = typedKernelConfig(DCNv3, 'cpu', dcnv3);
