/**
 * tfjs-backend-wasm 4.x has no DepthwiseConv2dNativeBackpropInput, so no
 * gradient flows through a depthwise convolution on wasm. Registered only
 * where tfjs has no such kernel (see register.ts).
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  DepthwiseConv2dNativeBackpropInput,
  DepthwiseConv2dNativeBackpropInputAttrs,
  TensorInfo,
} from '@tensorflow/tfjs-core';

import {kernelConfig, KernelArgs} from '../kernel_util';
import {runOnThreads} from './pass_pool';
import {depthwiseWork} from './pass_work';
import {deformWasm} from './deform_wasm_module';
import {address, withPassMemory} from './wasm_heap_util';
import {depthwiseParams} from './wasm_params';

const depthwiseConv2dNativeBackpropInput = ({
  inputs: {dy, filter},
  backend: wasm,
  attrs: {strides, dilations, pad, dimRoundingMode, inputShape},
}: KernelArgs<
  {dy: TensorInfo; filter: TensorInfo},
  DepthwiseConv2dNativeBackpropInputAttrs,
  BackendWasm
>) => {
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true /* depthwise */,
  );
  const module = deformWasm(wasm);
  const dx = wasm.makeOutput(inputShape, 'float32');
  const multiplier = info.outChannels / info.inChannels;
  withPassMemory(wasm, module, depthwiseParams(info), ({params}) => {
    runOnThreads(
      wasm,
      'depthwiseBackpropInput',
      [
        params,
        address(wasm, filter),
        address(wasm, dy),
        address(wasm, dx),
        multiplier,
        0,
        info.batchSize * info.inHeight * info.inWidth,
      ],
      {work: depthwiseWork(info)},
    );
  });
  return dx;
};

export const depthwiseConv2dNativeBackpropInputConfig = kernelConfig(
  DepthwiseConv2dNativeBackpropInput,
  'wasm',
  depthwiseConv2dNativeBackpropInput,
);
