import type {KernelConfig} from '@tensorflow/tfjs-core';

import {ModulatedDeformRoIPool} from '../../kernel_names';
import {deformRoiPoolWasm} from './DeformRoIPool';

export const modulatedDeformRoIPoolConfig: KernelConfig = {
  kernelName: ModulatedDeformRoIPool,
  backendName: 'wasm',
  kernelFunc: deformRoiPoolWasm,
};
