import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {DCNv3} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeDCNv3Info} from '../../shape/dcnv3';
import {deformWasm} from './deform_wasm_module';
import {passThreads, runOnThreads} from './pass_pool';
import {dcnv3Work} from './pass_work';
import {address, withPassMemory} from './wasm_heap_util';
import {windowParams} from './wasm_params';

const dcnv3: TypedKernelFunc<typeof DCNv3, BackendWasm> = ({inputs, backend: wasm, attrs}) => {
  const {x, offset, mask} = inputs;
  const info = computeDCNv3Info(x.shape, attrs);
  const module = deformWasm(wasm);
  const y = wasm.makeOutput(
    [info.batchSize, info.outHeight, info.outWidth, info.inChannels],
    'float32',
  );
  const threads = passThreads(wasm);
  const scratchBytes = module.dcnv3ScratchBytes(info.points);
  withPassMemory(
    wasm,
    module,
    windowParams(info, info.groups),
    ({params, zeros, scratch}) => {
      runOnThreads(
        wasm,
        'dcnv3Forward',
        [
          params,
          address(wasm, x),
          address(wasm, offset),
          address(wasm, mask),
          address(wasm, y),
          zeros,
          scratch,
          info.offsetScale,
          Number(info.removeCenter),
          0,
          info.batchSize * info.outHeight * info.outWidth,
        ],
        {scratch: {threads, bytes: scratchBytes}, work: dcnv3Work(info)},
      );
    },
    {zeroChannels: info.inChannels, scratchBytes: threads * scratchBytes},
  );
  return y;
};

export const dcnv3Config = typedKernelConfig(DCNv3, 'wasm', dcnv3);
