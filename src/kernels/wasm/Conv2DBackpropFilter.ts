/**
 * tfjs-backend-wasm 4.x has no Conv2DBackpropFilter, so no convolution can
 * train on wasm (our layers' offset branches included). The filter gradient
 * of a plain convolution is that of a deformable one with zero offsets, which
 * the shared driver computes with our im2col and GEMM. Registered
 * only where tfjs has no such kernel (see register.ts).
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  Conv2DBackpropFilter,
  Conv2DBackpropFilterAttrs,
  TensorInfo,
} from '@tensorflow/tfjs-core';

import {kernelConfig, KernelArgs} from '../kernel_util';
import {deformConvBackpropFilter} from '../deform_conv_driver';
import {wasmSampling} from './deform_conv_sampling_wasm';

const conv2DBackpropFilter = ({
  inputs: {x, dy},
  backend: wasm,
  attrs: {strides, pad, dataFormat, dimRoundingMode, filterShape},
}: KernelArgs<{x: TensorInfo; dy: TensorInfo}, Conv2DBackpropFilterAttrs, BackendWasm>) => {
  if (backend_util.convertConv2DDataFormat(dataFormat) !== 'channelsLast') {
    throw new Error('tfjs-deform: Conv2DBackpropFilter on wasm supports NHWC only');
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const {top, bottom, left, right} = info.padInfo;
  const offset = wasm.makeOutput(
    [info.batchSize, info.outHeight, info.outWidth, 2 * info.filterHeight * info.filterWidth],
    'float32',
  );
  wasm.typedArrayFromHeap(offset).fill(0);
  try {
    return deformConvBackpropFilter(
      wasm,
      wasmSampling,
      {x, offset, dy},
      {
        strides: [info.strideHeight, info.strideWidth],
        pad: [
          [top, bottom],
          [left, right],
        ],
        dilations: [1, 1],
        groups: 1,
        offsetGroups: 1,
        filterShape: filterShape as [number, number, number, number],
      },
    );
  } finally {
    wasm.disposeData(offset.dataId);
  }
};

export const conv2DBackpropFilterConfig = kernelConfig(
  Conv2DBackpropFilter,
  'wasm',
  conv2DBackpropFilter,
);
