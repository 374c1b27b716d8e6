/** Every kernel of the package on the cpu backend. */
import type {KernelConfig} from '@tensorflow/tfjs-core';

import {deformConvKernelConfigs} from '../deform_conv_kernels';
import {cpuSampling} from './deform_conv_sampling_cpu';

export const cpuKernelConfigs: KernelConfig[] = [
  ...deformConvKernelConfigs('cpu', cpuSampling),
];
