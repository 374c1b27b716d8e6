import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import {util} from '@tensorflow/tfjs-core';

import {DCNv3BackpropInput} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeDCNv3Info} from '../../shape/dcnv3';
import {runOnThreads} from './pass_pool';
import {dcnv3Work} from './pass_work';
import {deformWasm} from './deform_wasm_module';
import {address, withPassMemory} from './wasm_heap_util';
import {windowParams} from './wasm_params';

/** Returns `[dx, dOffset, dMask]` from one pass, as the cpu kernel. */
const dcnv3BackpropInput: TypedKernelFunc<typeof DCNv3BackpropInput, BackendWasm> = ({
  inputs,
  backend: wasm,
  attrs,
}) => {
  const {x, offset, mask, dy} = inputs;
  const info = computeDCNv3Info(x.shape, attrs);
  const module = deformWasm(wasm);
  const dx = wasm.makeOutput(x.shape, 'float32');
  const dOffset = wasm.makeOutput(offset.shape, 'float32');
  const dMask = wasm.makeOutput(mask.shape, 'float32');
  withPassMemory(
    wasm,
    module,
    windowParams(info, info.groups),
    ({params, zeros}) => {
      // The pass scatters into dx; it writes every entry of dOffset and dMask.
      module.fillZero(address(wasm, dx), util.sizeFromShape(x.shape) * 4);
      runOnThreads(
        wasm,
        'dcnv3Backward',
        [
          params,
          address(wasm, x),
          address(wasm, offset),
          address(wasm, mask),
          address(wasm, dy),
          address(wasm, dx),
          address(wasm, dOffset),
          address(wasm, dMask),
          zeros,
          info.offsetScale,
          Number(info.removeCenter),
          0,
          info.groups,
          0,
          info.batchSize * info.outHeight * info.outWidth,
        ],
        {over: 'groups', work: dcnv3Work(info)},
      );
    },
    {zeroChannels: info.inChannels},
  );
  return [dx, dOffset, dMask];
};

export const dcnv3BackpropInputConfig = typedKernelConfig(
  DCNv3BackpropInput,
  'wasm',
  dcnv3BackpropInput,
);
