/**
 * tfjs-backend-wasm 4.x has no DepthwiseConv2dNativeBackpropFilter, so no
 * depthwise convolution (the DCNv3 layer's among them) can train on wasm.
 * Registered only where tfjs has no such kernel (see register.ts).
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropFilterAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';

import {deformWasm} from './deform_wasm_module';
import {setDepthwiseGeometry} from './depthwise_geometry';
import {address} from './wasm_heap_util';

const depthwiseConv2dNativeBackpropFilter: KernelFunc = ({inputs, backend, attrs}) => {
  const wasm = backend as BackendWasm;
  const {x, dy} = inputs as {x: TensorInfo; dy: TensorInfo};
  const {strides, dilations, pad, dimRoundingMode, filterShape} =
    attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true /* depthwise */,
  );
  const module = deformWasm(wasm);
  const dFilter = wasm.makeOutput(filterShape, 'float32');
  const multiplier = setDepthwiseGeometry(module, info);
  module.depthwiseBackpropFilter(
    address(wasm, x),
    address(wasm, dy),
    address(wasm, dFilter),
    multiplier,
    info.batchSize * info.outHeight * info.outWidth,
  );
  return dFilter;
};

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter,
};
