/** Every kernel of the package on the webgpu backend. */
import type {KernelConfig} from '@tensorflow/tfjs-core';

import {dcnv3Config} from './DCNv3';
import {dcnv3BackpropInputConfig} from './DCNv3BackpropInput';
import {deformConv2DConfigs} from './DeformConv2D';
import {deformPSRoIPoolConfig} from './DeformPSRoIPool';
import {deformPSRoIPoolBackpropConfig} from './DeformPSRoIPoolBackprop';
import {deformRoIPoolConfig} from './DeformRoIPool';
import {deformRoIPoolBackpropConfig} from './DeformRoIPoolBackprop';
import {involutionConfig} from './Involution';
import {involutionBackpropInputConfig} from './InvolutionBackpropInput';
import {modulatedDeformRoIPoolConfig} from './ModulatedDeformRoIPool';

export const webgpuKernelConfigs: KernelConfig[] = [
  ...deformConv2DConfigs,
  dcnv3Config,
  dcnv3BackpropInputConfig,
  involutionConfig,
  involutionBackpropInputConfig,
  deformRoIPoolConfig,
  modulatedDeformRoIPoolConfig,
  deformRoIPoolBackpropConfig,
  deformPSRoIPoolConfig,
  deformPSRoIPoolBackpropConfig,
];
