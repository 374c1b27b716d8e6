/** Every kernel of the package on the webgl backend. */
import type {KernelConfig} from '@tensorflow/tfjs-core';

export const webglKernelConfigs: KernelConfig[] = [];
