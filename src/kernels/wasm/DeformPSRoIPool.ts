import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {DeformPSRoIPool} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {setPsRoiPoolGeometry} from './deform_ps_roi_pool_wasm';
import {deformWasm} from './deform_wasm_module';
import {address} from './wasm_heap_util';

const deformPsRoiPool: TypedKernelFunc<typeof DeformPSRoIPool, BackendWasm> = ({
  inputs,
  backend: wasm,
  attrs,
}) => {
  const {x, rois, offset} = inputs;
  const module = deformWasm(wasm);
  const info = setPsRoiPoolGeometry(module, x, rois, offset, attrs);
  const y = wasm.makeOutput(
    [info.rois, info.pooledHeight, info.pooledWidth, info.outputDim],
    'float32',
  );
  module.deformPsRoiPoolForward(
    address(wasm, x),
    address(wasm, rois),
    address(wasm, offset),
    address(wasm, y),
    info.batchSize,
    info.rois,
  );
  return y;
};

export const deformPSRoIPoolConfig = typedKernelConfig(DeformPSRoIPool, 'wasm', deformPsRoiPool);
