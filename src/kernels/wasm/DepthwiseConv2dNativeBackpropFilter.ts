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
  TensorInfo,
  util,
} from '@tensorflow/tfjs-core';

import {kernelConfig, KernelArgs} from '../kernel_util';
import {deformWasm} from './deform_wasm_module';
import {runOnThreads} from './pass_pool';
import {depthwiseWork} from './pass_work';
import {address, withPassMemory} from './wasm_heap_util';
import {depthwiseParams} from './wasm_params';

const depthwiseConv2dNativeBackpropFilter = ({
  inputs: {x, dy},
  backend: wasm,
  attrs: {strides, dilations, pad, dimRoundingMode, filterShape},
}: KernelArgs<
  {x: TensorInfo; dy: TensorInfo},
  DepthwiseConv2dNativeBackpropFilterAttrs,
  BackendWasm
>) => {
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
  const multiplier = info.outChannels / info.inChannels;
  // The pass adds every output position's products into dFilter: threads
  // split it by taps, whose sums are apart.
  module.fillZero(address(wasm, dFilter), util.sizeFromShape(filterShape) * 4);
  withPassMemory(wasm, module, depthwiseParams(info), ({params}) => {
    runOnThreads(
      wasm,
      'depthwiseBackpropFilter',
      [
        params,
        address(wasm, x),
        address(wasm, dy),
        address(wasm, dFilter),
        multiplier,
        0,
        info.filterHeight * info.filterWidth,
        0,
        info.batchSize * info.outHeight * info.outWidth,
      ],
      {over: 'taps', work: depthwiseWork(info)},
    );
  });
  return dFilter;
};

export const depthwiseConv2dNativeBackpropFilterConfig = kernelConfig(
  DepthwiseConv2dNativeBackpropFilter,
  'wasm',
  depthwiseConv2dNativeBackpropFilter,
);
