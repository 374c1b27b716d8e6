import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import {util} from '@tensorflow/tfjs-core';

import {DeformPSRoIPoolBackprop} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computePSRoIPoolInfo} from '../../shape/roi_pool';
import {deformWasm} from './deform_wasm_module';
import {runOnThreads} from './pass_pool';
import {psRoiPoolWork} from './pass_work';
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
  const entries = util.sizeFromShape(dy.shape);
  // The walk scatters into dx (split by output channels: they read distinct
  // input channels) and leaves each entry's part of dOffset apart, since the
  // entries of a RoI share offset cells; a second pass sums those per RoI.
  module.fillZero(address(wasm, dx), util.sizeFromShape(x.shape) * 4);
  withPassMemory(
    wasm,
    module,
    psRoiPoolParams(info),
    ({params, scratch: entryGrads}) => {
      runOnThreads(
        wasm,
        'deformPsRoiPoolBackward',
        [
          params,
          address(wasm, x),
          address(wasm, rois),
          address(wasm, offset),
          address(wasm, dy),
          address(wasm, dx),
          entryGrads,
          info.spatialScale,
          info.transStd,
          0,
          info.outputDim,
          0,
          info.rois,
        ],
        {over: 'channels', align: 1, work: psRoiPoolWork(info)},
      );
      module.deformPsRoiPoolOffsetSum(params, entryGrads, address(wasm, dOffset), 0, info.rois);
    },
    {scratchBytes: 8 * entries},
  );
  return [dx, dOffset];
};

export const deformPSRoIPoolBackpropConfig = typedKernelConfig(
  DeformPSRoIPoolBackprop,
  'wasm',
  deformPsRoiPoolBackprop,
);
