/**
 * The KernelConfigs of the deformable convolutions for one backend: its
 * sampling passes plugged into the shared driver. A backend differs only in
 * its DeformConvSampling, so the four configs are made here rather than in
 * four near-identical files per backend.
 */
import type {KernelBackend, KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {
  DeformConv2D,
  DeformConv2DAttrs,
  DeformConv2DBackpropFilter,
  DeformConv2DBackpropFilterAttrs,
  DeformConv2DBackpropInput,
  ModulatedDeformConv2D,
} from '../kernel_names';
import {
  deformConvBackpropFilter,
  deformConvBackpropInput,
  deformConvForward,
} from './deform_conv_driver';
import type {DeformConvSampling} from './deform_conv_sampling';

type Inputs = {[name: string]: TensorInfo};

export function deformConvKernelConfigs(
  backendName: string,
  sampling: DeformConvSampling,
): KernelConfig[] {
  const forward: KernelFunc = ({inputs, backend, attrs}) => {
    const {x, filter, offset, mask, bias} = inputs as Inputs;
    return deformConvForward(
      backend as KernelBackend,
      sampling,
      {x, filter, offset, mask, bias},
      attrs as unknown as DeformConv2DAttrs,
    );
  };
  const backpropInput: KernelFunc = ({inputs, backend, attrs}) => {
    const {x, filter, offset, mask, dy} = inputs as Inputs;
    return deformConvBackpropInput(
      backend as KernelBackend,
      sampling,
      {x, filter, offset, mask, dy},
      attrs as unknown as DeformConv2DAttrs,
    );
  };
  const backpropFilter: KernelFunc = ({inputs, backend, attrs}) => {
    const {x, offset, mask, dy} = inputs as Inputs;
    return deformConvBackpropFilter(
      backend as KernelBackend,
      sampling,
      {x, offset, mask, dy},
      attrs as unknown as DeformConv2DBackpropFilterAttrs,
    );
  };
  return [
    {kernelName: DeformConv2D, backendName, kernelFunc: forward},
    {kernelName: ModulatedDeformConv2D, backendName, kernelFunc: forward},
    {kernelName: DeformConv2DBackpropInput, backendName, kernelFunc: backpropInput},
    {kernelName: DeformConv2DBackpropFilter, backendName, kernelFunc: backpropFilter},
  ];
}
