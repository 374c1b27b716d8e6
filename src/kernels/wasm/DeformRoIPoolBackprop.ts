import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import {util} from '@tensorflow/tfjs-core';

import {DeformRoIPoolBackprop} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeRoIPoolInfo} from '../../shape/roi_pool';
import {deformWasm} from './deform_wasm_module';
import {address, withPassMemory} from './wasm_heap_util';
import {roiPoolParams} from './wasm_params';

/** Returns `[dx, dOffset]`, as the cpu kernel. */
const deformRoiPoolBackprop: TypedKernelFunc<typeof DeformRoIPoolBackprop, BackendWasm> = ({
  inputs,
  backend: wasm,
  attrs,
}) => {
  const {x, rois, offset, dy} = inputs;
  const info = computeRoIPoolInfo(x.shape, rois.shape, attrs);
  const module = deformWasm(wasm);
  const dx = wasm.makeOutput(x.shape, 'float32');
  const dOffset = wasm.makeOutput(offset.shape, 'float32');
  // The pass scatters into dx; it writes every entry of dOffset.
  module.fillZero(address(wasm, dx), util.sizeFromShape(x.shape) * 4);
  withPassMemory(wasm, module, roiPoolParams(info), ({params}) => {
    module.deformRoiPoolBackward(
      params,
      address(wasm, x),
      address(wasm, rois),
      address(wasm, offset),
      address(wasm, dy),
      address(wasm, dx),
      address(wasm, dOffset),
      info.spatialScale,
      info.gamma,
      0,
      info.rois,
    );
  });
  return [dx, dOffset];
};

export const deformRoIPoolBackpropConfig = typedKernelConfig(
  DeformRoIPoolBackprop,
  'wasm',
  deformRoiPoolBackprop,
);
