/**
 * Registers every kernel and gradient of the package, once: a second import
 * (or a second bundle sharing tfjs's global registries) finds them registered
 * and does nothing, so tfjs prints no "already registered" warnings.
 */
import {getGradient, getKernel, GradConfig, KernelConfig, registerGradient, registerKernel} from '@tensorflow/tfjs-core';

import {registerFlags} from './flags';
import {deformConv2DGradConfig, modulatedDeformConv2DGradConfig} from './gradients/deform_conv2d_grad';
import {cpuKernelConfigs} from './kernels/cpu/index';
import {wasmKernelConfigs} from './kernels/wasm/index';
import {webglKernelConfigs} from './kernels/webgl/index';

const kernelConfigs: KernelConfig[] = [
  ...cpuKernelConfigs,
  ...webglKernelConfigs,
  ...wasmKernelConfigs,
];

const gradConfigs: GradConfig[] = [
  deformConv2DGradConfig,
  modulatedDeformConv2DGradConfig,
];

export function registerAll(): void {
  registerFlags();
  for (const config of kernelConfigs) {
    if (getKernel(config.kernelName, config.backendName) == null) {
      registerKernel(config);
    }
  }
  for (const config of gradConfigs) {
    if (getGradient(config.kernelName) == null) {
      registerGradient(config);
    }
  }
}
