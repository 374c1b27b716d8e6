import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {DeformPSRoIPool, DeformPSRoIPoolAttrs} from '../../kernel_names';
import {setPsRoiPoolGeometry} from './deform_ps_roi_pool_wasm';
import {deformWasm} from './deform_wasm_module';
import {address} from './wasm_heap_util';

const deformPsRoiPool: KernelFunc = ({inputs, backend, attrs}) => {
  const wasm = backend as BackendWasm;
  const {x, rois, offset} = inputs as {x: TensorInfo; rois: TensorInfo; offset: TensorInfo};
  const module = deformWasm(wasm);
  const info = setPsRoiPoolGeometry(
    module,
    x,
    rois,
    offset,
    attrs as unknown as DeformPSRoIPoolAttrs,
  );
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

export const deformPSRoIPoolConfig: KernelConfig = {
  kernelName: DeformPSRoIPool,
  backendName: 'wasm',
  kernelFunc: deformPsRoiPool,
};
