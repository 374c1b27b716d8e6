/** Every kernel of the package on the webgl backend. */
import type {KernelConfig} from '@tensorflow/tfjs-core';

import {deformConvKernelConfigs} from '../deform_conv_kernels';
import {webglSampling} from './deform_conv_sampling_webgl';

export const webglKernelConfigs: KernelConfig[] = [
  ...deformConvKernelConfigs('webgl', webglSampling),
];
