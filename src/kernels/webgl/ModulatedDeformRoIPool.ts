import type {KernelConfig} from '@tensorflow/tfjs-core';

import {ModulatedDeformRoIPool} from '../../kernel_names';
import {deformRoiPoolWebgl} from './DeformRoIPool';

export const modulatedDeformRoIPoolConfig: KernelConfig = {
  kernelName: ModulatedDeformRoIPool,
  backendName: 'webgl',
  kernelFunc: deformRoiPoolWebgl,
};
