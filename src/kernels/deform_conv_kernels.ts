/**
 * The KernelConfigs of the deformable convolutions for one backend: its
 * sampling passes plugged into the shared driver. A backend differs only in
 * its DeformConvSampling, so the four configs are made here rather than in
 * four near-identical files per backend.
 */
import type {KernelConfig} from '@tensorflow/tfjs-core';

import {
  DeformConv2D,
  DeformConv2DBackpropFilter,
  DeformConv2DBackpropInput,
  ModulatedDeformConv2D,
} from '../kernel_names';
import {
  deformConvBackpropFilter,
  deformConvBackpropInput,
  deformConvForward,
} from './deform_conv_driver';
import type {DeformConvSampling} from './deform_conv_sampling';
import {typedKernelConfig} from './kernel_util';

export function deformConvKernelConfigs(
  backendName: string,
  sampling: DeformConvSampling,
): KernelConfig[] {
  return [
    typedKernelConfig(DeformConv2D, backendName, ({inputs, backend, attrs}) =>
      deformConvForward(backend, sampling, inputs, attrs),
    ),
    typedKernelConfig(ModulatedDeformConv2D, backendName, ({inputs, backend, attrs}) =>
      deformConvForward(backend, sampling, inputs, attrs),
    ),
    typedKernelConfig(DeformConv2DBackpropInput, backendName, ({inputs, backend, attrs}) =>
      deformConvBackpropInput(backend, sampling, inputs, attrs),
    ),
    typedKernelConfig(DeformConv2DBackpropFilter, backendName, ({inputs, backend, attrs}) =>
      deformConvBackpropFilter(backend, sampling, inputs, attrs),
    ),
  ];
}
