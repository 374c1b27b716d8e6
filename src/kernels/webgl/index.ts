/** Every kernel of the package on the webgl backend. */
import type {KernelConfig} from '@tensorflow/tfjs-core';

import {deformConvKernelConfigs} from '../deform_conv_kernels';
import {dcnv3Config} from './DCNv3';
import {dcnv3BackpropInputConfig} from './DCNv3BackpropInput';
import {webglSampling} from './deform_conv_sampling_webgl';
import {deformPSRoIPoolConfig} from './DeformPSRoIPool';
import {deformPSRoIPoolBackpropConfig} from './DeformPSRoIPoolBackprop';
import {deformRoIPoolConfig} from './DeformRoIPool';
import {deformRoIPoolBackpropConfig} from './DeformRoIPoolBackprop';
import {involutionConfig} from './Involution';
import {involutionBackpropInputConfig} from './InvolutionBackpropInput';
import {modulatedDeformRoIPoolConfig} from './ModulatedDeformRoIPool';

export const webglKernelConfigs: KernelConfig[] = [
  ...deformConvKernelConfigs('webgl', webglSampling),
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
