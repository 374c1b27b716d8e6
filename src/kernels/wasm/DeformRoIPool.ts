import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {DeformRoIPool, ModulatedDeformRoIPool} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeRoIPoolInfo} from '../../shape/roi_pool';
import {runOnThreads} from './pass_pool';
import {roiPoolWork} from './pass_work';
import {deformWasm} from './deform_wasm_module';
import {address, withPassMemory} from './wasm_heap_util';
import {roiPoolParams} from './wasm_params';

/** The pooled `[R, ph, pw, C]` values, times `mask` when given (the modulated kernel). */
export const deformRoiPoolWasm: TypedKernelFunc<
  typeof DeformRoIPool | typeof ModulatedDeformRoIPool,
  BackendWasm
> = ({inputs, backend: wasm, attrs}) => {
  const {x, rois, offset, mask} = inputs;
  const info = computeRoIPoolInfo(x.shape, rois.shape, attrs);
  const module = deformWasm(wasm);
  const y = wasm.makeOutput(
    [info.rois, info.pooledHeight, info.pooledWidth, info.channels],
    'float32',
  );
  withPassMemory(wasm, module, roiPoolParams(info), ({params}) => {
    runOnThreads(
      wasm,
      'deformRoiPoolForward',
      [
        params,
        address(wasm, x),
        address(wasm, rois),
        address(wasm, offset),
        address(wasm, mask ?? null),
        address(wasm, y),
        info.spatialScale,
        info.gamma,
        0,
        info.rois,
      ],
      {work: roiPoolWork(info)},
    );
  });
  return y;
};

export const deformRoIPoolConfig = typedKernelConfig(DeformRoIPool, 'wasm', deformRoiPoolWasm);
