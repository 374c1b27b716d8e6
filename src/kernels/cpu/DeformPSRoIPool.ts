import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {DeformPSRoIPool, DeformPSRoIPoolAttrs} from '../../kernel_names';
import {computePsRoiPoolInfo} from '../../ops/roi_pool_util';
import {deformPsRoiPoolForward} from '../reference/deform_ps_roi_pool';
import {values} from './cpu_util';

const deformPsRoiPool: KernelFunc = ({inputs, backend, attrs}) => {
  const cpu = backend as MathBackendCPU;
  const {x, rois, offset} = inputs as {x: TensorInfo; rois: TensorInfo; offset: TensorInfo};
  const info = computePsRoiPoolInfo(
    x.shape,
    rois.shape,
    offset.shape,
    attrs as unknown as DeformPSRoIPoolAttrs,
  );
  const y = deformPsRoiPoolForward(info, values(cpu, x), values(cpu, rois), values(cpu, offset));
  return cpu.makeTensorInfo(
    [info.rois, info.pooledHeight, info.pooledWidth, info.outputDim],
    'float32',
    y,
  );
};

export const deformPSRoIPoolConfig: KernelConfig = {
  kernelName: DeformPSRoIPool,
  backendName: 'cpu',
  kernelFunc: deformPsRoiPool,
};
