import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import {util} from '@tensorflow/tfjs-core';

import {DeformRoIPoolBackprop} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeRoIPoolInfo} from '../../shape/roi_pool';
import {deformWasm} from './deform_wasm_module';
import {runOnThreads} from './pass_pool';
import {roiPoolWork} from './pass_work';
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
  // Two passes, so each splits over threads without two writing one element:
  // dOffset gathered by RoIs, dx scattered (into zeros) by channels.
  module.fillZero(address(wasm, dx), util.sizeFromShape(x.shape) * 4);
  withPassMemory(wasm, module, roiPoolParams(info), ({params}) => {
    const common = [params, address(wasm, x), address(wasm, rois), address(wasm, offset)] as const;
    const work = roiPoolWork(info);
    runOnThreads(
      wasm,
      'deformRoiPoolBackwardOffset',
      [
        ...common,
        address(wasm, dy),
        address(wasm, dOffset),
        info.spatialScale,
        info.gamma,
        0,
        info.rois,
      ],
      {work},
    );
    runOnThreads(
      wasm,
      'deformRoiPoolBackwardInput',
      [
        ...common,
        address(wasm, dy),
        address(wasm, dx),
        info.spatialScale,
        info.gamma,
        0,
        info.channels,
        0,
        info.rois,
      ],
      {over: 'channels', work},
    );
  });
  return [dx, dOffset];
};

export const deformRoIPoolBackpropConfig = typedKernelConfig(
  DeformRoIPoolBackprop,
  'wasm',
  deformRoiPoolBackprop,
);
