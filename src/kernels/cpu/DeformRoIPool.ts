import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {DeformRoIPool, ModulatedDeformRoIPool} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeRoIPoolInfo} from '../../shape/roi_pool';
import {deformRoiPoolForward} from '../reference/deform_roi_pool';
import {values} from './cpu_util';

/** The pooled `[R, ph, pw, C]` values, times `mask` when given (the modulated kernel). */
export const deformRoiPoolCpu: TypedKernelFunc<
  typeof DeformRoIPool | typeof ModulatedDeformRoIPool,
  MathBackendCPU
> = ({inputs, backend: cpu, attrs}) => {
  const {x, rois, offset, mask} = inputs;
  const info = computeRoIPoolInfo(x.shape, rois.shape, attrs);
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

export const deformRoIPoolConfig = typedKernelConfig(DeformRoIPool, 'cpu', deformRoiPoolCpu);
