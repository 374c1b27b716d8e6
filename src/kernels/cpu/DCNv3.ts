import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';
import type {KernelConfig, KernelFunc} from '@tensorflow/tfjs-core';

import {DCNv3, DCNv3Attrs, DCNv3Inputs} from '../../kernel_names';
import {computeDcnv3Info} from '../../ops/dcnv3_util';
import {dcnv3Forward} from '../reference/dcnv3';
import {values} from './cpu_util';

const dcnv3: KernelFunc = ({inputs, backend, attrs}) => {
  const cpu = backend as MathBackendCPU;
  const {x, offset, mask} = inputs as DCNv3Inputs;
  const info = computeDcnv3Info(x.shape, attrs as unknown as DCNv3Attrs);
  const y = dcnv3Forward(info, values(cpu, x), values(cpu, offset), values(cpu, mask));
  return cpu.makeTensorInfo(
    [info.batchSize, info.outHeight, info.outWidth, info.inChannels],
    'float32',
    y,
  );
};

export const dcnv3Config: KernelConfig = {kernelName: DCNv3, backendName: 'cpu', kernelFunc: dcnv3};
