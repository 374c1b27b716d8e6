/**
 * Registers every kernel and gradient of the package, once: a second import
 * (or a second bundle sharing tfjs's global registries) finds them registered
 * and does nothing, so tfjs prints no "already registered" warnings.
 */
import {getGradient, getKernel, GradConfig, KernelConfig, registerGradient, registerKernel} from '@tensorflow/tfjs-core';

import {registerFlags} from './flags';
import {deformConv2DGradConfig, modulatedDeformConv2DGradConfig} from './gradients/deform_conv2d_grad';
import {deformConv2DConfig} from './kernels/cpu/DeformConv2D';
import {deformConv2DBackpropFilterConfig} from './kernels/cpu/DeformConv2DBackpropFilter';
import {deformConv2DBackpropInputConfig} from './kernels/cpu/DeformConv2DBackpropInput';
import {modulatedDeformConv2DConfig} from './kernels/cpu/ModulatedDeformConv2D';

const kernelConfigs: KernelConfig[] = [
  deformConv2DConfig,
  modulatedDeformConv2DConfig,
  deformConv2DBackpropInputConfig,
  deformConv2DBackpropFilterConfig,
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
