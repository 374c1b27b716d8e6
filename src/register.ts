/**
 * Registers every kernel and gradient of the package, once: a second import
 * (or a second bundle sharing tfjs's global registries) finds them registered
 * and does nothing, so tfjs prints no "already registered" warnings.
 */
import {
  getGradient,
  getKernel,
  GradConfig,
  KernelConfig,
  registerGradient,
  registerKernel,
} from '@tensorflow/tfjs-core';

import {registerFlags} from './flags';
import {dcnv3GradConfig} from './gradients/dcnv3_grad';
import {
  deformConv2DGradConfig,
  modulatedDeformConv2DGradConfig,
} from './gradients/deform_conv2d_grad';
import {
  deformPSRoIPoolGradConfig,
  deformRoIPoolGradConfig,
  modulatedDeformRoIPoolGradConfig,
} from './gradients/deform_roi_pool_grad';
import {involutionGradConfig} from './gradients/involution_grad';
import {cpuKernelConfigs} from './kernels/cpu/index';
import {wasmKernelConfigs} from './kernels/wasm/index';
import {webglKernelConfigs} from './kernels/webgl/index';
import {webgpuKernelConfigs} from './kernels/webgpu/index';

const kernelConfigs: KernelConfig[] = [
  ...cpuKernelConfigs,
  ...webglKernelConfigs,
  ...wasmKernelConfigs,
  ...webgpuKernelConfigs,
];

const gradConfigs: GradConfig[] = [
  deformConv2DGradConfig,
  modulatedDeformConv2DGradConfig,
  dcnv3GradConfig,
  involutionGradConfig,
  deformRoIPoolGradConfig,
  modulatedDeformRoIPoolGradConfig,
  deformPSRoIPoolGradConfig,
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
