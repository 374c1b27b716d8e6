import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import {util} from '@tensorflow/tfjs-core';

import {DeformPSRoIPoolBackprop} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computePSRoIPoolInfo} from '../../shape/roi_pool';
import {deformWasm} from './deform_wasm_module';
import {address, withPassMemory} from './wasm_heap_util';
import {psRoiPoolParams} from './wasm_params';

/** Returns `[dx, dOffset]`, as the cpu kernel. */
const deformPsRoiPoolBackprop: TypedKernelFunc<typeof DeformPSRoIPoolBackprop, BackendWasm> = ({
  inputs,
  backend: wasm,
  attrs,
}) => {
  const {x, rois, offset, dy} = inputs;
  const info = computePSRoIPoolInfo(x.shape, rois.shape, offset.shape, attrs);
  const module = deformWasm(wasm);
  const dx = wasm.makeOutput(x.shape, 'float32');
  const dOffset = wasm.makeOutput(offset.shape, 'float32');
  // The pass adds into both: bins share offset cells and input pixels.
  module.fillZero(address(wasm, dx), util.sizeFromShape(x.shape) * 4);
  module.fillZero(address(wasm, dOffset), util.sizeFromShape(offset.shape) * 4);
  withPassMemory(wasm, module, psRoiPoolParams(info), ({params}) => {
    module.deformPsRoiPoolBackward(
      params,
      address(wasm, x),
      address(wasm, rois),
      address(wasm, offset),
      address(wasm, dy),
      address(wasm, dx),
      address(wasm, dOffset),
      info.spatialScale,
      info.transStd,
      0,
      info.rois,
    );
  });
  return [dx, dOffset];
};

export const deformPSRoIPoolBackpropConfig = typedKernelConfig(
  DeformPSRoIPoolBackprop,
  'wasm',
  deformPsRoiPoolBackprop,
);
