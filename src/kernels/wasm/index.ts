/** Every kernel of the package on the wasm backend. */
import type {KernelConfig} from '@tensorflow/tfjs-core';

export const wasmKernelConfigs: KernelConfig[] = [];
