import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {DeformRoIPool, DeformRoIPoolAttrs} from '../../kernel_names';
import {computeRoiPoolInfo} from '../../ops/roi_pool_util';
import {deformWasm} from './deform_wasm_module';
import {address} from './wasm_heap_util';

type Inputs = {x: TensorInfo; rois: TensorInfo; offset: TensorInfo; mask?: TensorInfo};

/** The pooled `[R, ph, pw, C]` values, times `mask` when given (the modulated kernel). */
export const deformRoiPoolWasm: KernelFunc = ({inputs, backend, attrs}) => {
  const wasm = backend as BackendWasm;
  const {x, rois, offset, mask} = inputs as Inputs;
  const info = computeRoiPoolInfo(x.shape, rois.shape, attrs as unknown as DeformRoIPoolAttrs);
  const module = deformWasm(wasm);
  const y = wasm.makeOutput(
    [info.rois, info.pooledHeight, info.pooledWidth, info.channels],
    'float32',
  );
  module.setImage(info.height, info.width, info.channels);
  module.deformRoiPoolForward(
    address(wasm, x),
    address(wasm, rois),
    address(wasm, offset),
    address(wasm, mask ?? null),
    address(wasm, y),
    info.batchSize,
    info.rois,
    info.pooledHeight,
    info.pooledWidth,
    info.spatialScale,
    info.samplingRatio,
    info.gamma,
  );
  return y;
};

export const deformRoIPoolConfig: KernelConfig = {
  kernelName: DeformRoIPool,
  backendName: 'wasm',
  kernelFunc: deformRoiPoolWasm,
};
