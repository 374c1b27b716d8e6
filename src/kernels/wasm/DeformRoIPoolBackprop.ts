import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import {KernelConfig, KernelFunc, TensorInfo, util} from '@tensorflow/tfjs-core';

import {DeformRoIPoolAttrs, DeformRoIPoolBackprop} from '../../kernel_names';
import {computeRoiPoolInfo} from '../../ops/roi_pool_util';
import {deformWasm} from './deform_wasm_module';
import {address} from './wasm_heap_util';

/** Returns `[dx, dOffset]`, as the cpu kernel. */
const deformRoiPoolBackprop: KernelFunc = ({inputs, backend, attrs}) => {
  const wasm = backend as BackendWasm;
  const {x, rois, offset, dy} = inputs as {
    x: TensorInfo;
    rois: TensorInfo;
    offset: TensorInfo;
    dy: TensorInfo;
  };
  const info = computeRoiPoolInfo(x.shape, rois.shape, attrs as unknown as DeformRoIPoolAttrs);
  const module = deformWasm(wasm);
  const dx = wasm.makeOutput(x.shape, 'float32');
  const dOffset = wasm.makeOutput(offset.shape, 'float32');
  // The pass scatters into dx; it writes every entry of dOffset.
  module.fillZero(address(wasm, dx), util.sizeFromShape(x.shape) * 4);
  module.setImage(info.height, info.width, info.channels);
  module.deformRoiPoolBackward(
    address(wasm, x),
    address(wasm, rois),
    address(wasm, offset),
    address(wasm, dy),
    address(wasm, dx),
    address(wasm, dOffset),
    info.batchSize,
    info.rois,
    info.pooledHeight,
    info.pooledWidth,
    info.spatialScale,
    info.samplingRatio,
    info.gamma,
  );
  return [dx, dOffset];
};

export const deformRoIPoolBackpropConfig: KernelConfig = {
  kernelName: DeformRoIPoolBackprop,
  backendName: 'wasm',
  kernelFunc: deformRoiPoolBackprop,
};
