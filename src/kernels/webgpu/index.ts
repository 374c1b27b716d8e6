/** Every kernel of the package on the webgpu backend. */
import type {KernelConfig} from '@tensorflow/tfjs-core';

import {deformConv2DConfigs} from './DeformConv2D';

export const webgpuKernelConfigs: KernelConfig[] = [...deformConv2DConfigs];
