/** Every kernel of the package on the wasm backend. */
import type {KernelConfig} from '@tensorflow/tfjs-core';

import {deformConvKernelConfigs} from '../deform_conv_kernels';
import {conv2DBackpropFilterConfig} from './Conv2DBackpropFilter';
import {wasmSampling} from './deform_conv_sampling_wasm';

export {ready} from './deform_wasm_module';

export const wasmKernelConfigs: KernelConfig[] = [
  ...deformConvKernelConfigs('wasm', wasmSampling),
  conv2DBackpropFilterConfig,
];
