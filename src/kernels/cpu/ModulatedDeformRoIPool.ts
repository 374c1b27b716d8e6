import type {KernelConfig} from '@tensorflow/tfjs-core';

import {ModulatedDeformRoIPool} from '../../kernel_names';
import {deformRoiPoolCpu} from './DeformRoIPool';

export const modulatedDeformRoIPoolConfig: KernelConfig = {
  kernelName: ModulatedDeformRoIPool,
  backendName: 'cpu',
  kernelFunc: deformRoiPoolCpu,
};
