import type {KernelConfig} from '@tensorflow/tfjs-core';

import {ModulatedDeformConv2D} from '../../kernel_names';
import {deformConv2dCpu} from './DeformConv2D';

export const modulatedDeformConv2DConfig: KernelConfig = {
  kernelName: ModulatedDeformConv2D,
  backendName: 'cpu',
  kernelFunc: deformConv2dCpu,
};
