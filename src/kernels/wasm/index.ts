/** Every kernel of the package on the wasm backend. */
import type {KernelConfig} from '@tensorflow/tfjs-core';

import {conv2DBackpropFilterConfig} from './Conv2DBackpropFilter';
import {dcnv3Config} from './DCNv3';
import {dcnv3BackpropInputConfig} from './DCNv3BackpropInput';
import {deformConv2DConfigs} from './DeformConv2D';
import {deformPSRoIPoolConfig} from './DeformPSRoIPool';
import {deformPSRoIPoolBackpropConfig} from './DeformPSRoIPoolBackprop';
import {deformRoIPoolConfig} from './DeformRoIPool';
import {deformRoIPoolBackpropConfig} from './DeformRoIPoolBackprop';
import {depthwiseConv2dNativeBackpropFilterConfig} from './DepthwiseConv2dNativeBackpropFilter';
import {depthwiseConv2dNativeBackpropInputConfig} from './DepthwiseConv2dNativeBackpropInput';
import {involutionConfig} from './Involution';
import {involutionBackpropInputConfig} from './InvolutionBackpropInput';
import {modulatedDeformRoIPoolConfig} from './ModulatedDeformRoIPool';

export {ready} from './deform_wasm_module';

export const wasmKernelConfigs: KernelConfig[] = [
  ...deformConv2DConfigs,
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
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
