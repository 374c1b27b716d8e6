import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {DeformPSRoIPool} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computePSRoIPoolInfo} from '../../shape/roi_pool';
import {runOnThreads} from './pass_pool';
import {psRoiPoolWork} from './pass_work';
import {deformWasm} from './deform_wasm_module';
import {address, withPassMemory} from './wasm_heap_util';
import {psRoiPoolParams} from './wasm_params';

const deformPsRoiPool: TypedKernelFunc<typeof DeformPSRoIPool, BackendWasm> = ({
  inputs,
  backend: wasm,
  attrs,
}) => {
  const {x, rois, offset} = inputs;
  const info = computePSRoIPoolInfo(x.shape, rois.shape, offset.shape, attrs);
  const module = deformWasm(wasm);
  const y = wasm.makeOutput(
    [info.rois, info.pooledHeight, info.pooledWidth, info.outputDim],
    'float32',
  );
  withPassMemory(wasm, module, psRoiPoolParams(info), ({params}) => {
    runOnThreads(
      wasm,
      'deformPsRoiPoolForward',
      [
        params,
        address(wasm, x),
        address(wasm, rois),
        address(wasm, offset),
        address(wasm, y),
        info.spatialScale,
        info.transStd,
        0,
        info.rois,
      ],
      {work: psRoiPoolWork(info)},
    );
  });
  return y;
};

export const deformPSRoIPoolConfig = typedKernelConfig(DeformPSRoIPool, 'wasm', deformPsRoiPool);
