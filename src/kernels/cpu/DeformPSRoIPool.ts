import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {DeformPSRoIPool} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computePSRoIPoolInfo} from '../../shape/roi_pool';
import {deformPsRoiPoolForward} from '../reference/deform_ps_roi_pool';
import {values} from './cpu_util';

const deformPsRoiPool: TypedKernelFunc<typeof DeformPSRoIPool, MathBackendCPU> = ({
  inputs,
  backend: cpu,
  attrs,
}) => {
  const {x, rois, offset} = inputs;
  const info = computePSRoIPoolInfo(x.shape, rois.shape, offset.shape, attrs);
  const y = deformPsRoiPoolForward(info, values(cpu, x), values(cpu, rois), values(cpu, offset));
  return cpu.makeTensorInfo(
    [info.rois, info.pooledHeight, info.pooledWidth, info.outputDim],
    'float32',
    y,
  );
};

export const deformPSRoIPoolConfig = typedKernelConfig(DeformPSRoIPool, 'cpu', deformPsRoiPool);
