import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import {util} from '@tensorflow/tfjs-core';

import {DeformPSRoIPoolBackprop} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {setPsRoiPoolGeometry} from './deform_ps_roi_pool_wasm';
import {deformWasm} from './deform_wasm_module';
import {address} from './wasm_heap_util';

/** Returns `[dx, dOffset]`, as the cpu kernel. */
const deformPsRoiPoolBackprop: TypedKernelFunc<typeof DeformPSRoIPoolBackprop, BackendWasm> = ({
  inputs,
  backend: wasm,
  attrs,
}) => {
  const {x, rois, offset, dy} = inputs;
  const module = deformWasm(wasm);
  const dx = wasm.makeOutput(x.shape, 'float32');
  const dOffset = wasm.makeOutput(offset.shape, 'float32');
  // The pass adds into both: bins share offset cells and input pixels.
  module.fillZero(address(wasm, dx), util.sizeFromShape(x.shape) * 4);
  module.fillZero(address(wasm, dOffset), util.sizeFromShape(offset.shape) * 4);
  const info = setPsRoiPoolGeometry(module, x, rois, offset, attrs);
  module.deformPsRoiPoolBackward(
    address(wasm, x),
    address(wasm, rois),
    address(wasm, offset),
    address(wasm, dy),
    address(wasm, dx),
    address(wasm, dOffset),
    info.batchSize,
    info.rois,
  );
  return [dx, dOffset];
};

export const deformPSRoIPoolBackpropConfig = typedKernelConfig(
  DeformPSRoIPoolBackprop,
  'wasm',
  deformPsRoiPoolBackprop,
);
