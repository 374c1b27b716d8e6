import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {DeformRoIPool, DeformRoIPoolAttrs} from '../../kernel_names';
import {computeRoiPoolInfo} from '../../ops/roi_pool_util';
import {deformRoiPoolForward} from '../reference/deform_roi_pool';
import {values} from './cpu_util';

type Inputs = {x: TensorInfo; rois: TensorInfo; offset: TensorInfo; mask?: TensorInfo};

/** The pooled `[R, ph, pw, C]` values, times `mask` when given (the modulated kernel). */
export const deformRoiPoolCpu: KernelFunc = ({inputs, backend, attrs}) => {
  const cpu = backend as MathBackendCPU;
  const {x, rois, offset, mask} = inputs as Inputs;
  const info = computeRoiPoolInfo(x.shape, rois.shape, attrs as unknown as DeformRoIPoolAttrs);
  const y = deformRoiPoolForward(info, values(cpu, x), values(cpu, rois), values(cpu, offset));
  if (mask != null) {
    const m = values(cpu, mask);
    y.forEach((v, i) => (y[i] = v * m[Math.floor(i / info.channels)]));
  }
  return cpu.makeTensorInfo(
    [info.rois, info.pooledHeight, info.pooledWidth, info.channels],
    'float32',
    y,
  );
};

export const deformRoIPoolConfig: KernelConfig = {
  kernelName: DeformRoIPool,
  backendName: 'cpu',
  kernelFunc: deformRoiPoolCpu,
};
