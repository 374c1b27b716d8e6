import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {Involution} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeInvolutionInfo} from '../../shape/involution';
import {runOnThreads} from './pass_pool';
import {involutionWork} from './pass_work';
import {deformWasm} from './deform_wasm_module';
import {address, withPassMemory} from './wasm_heap_util';
import {windowParams} from './wasm_params';

const involution: TypedKernelFunc<typeof Involution, BackendWasm> = ({
  inputs,
  backend: wasm,
  attrs,
}) => {
  const {x, kernel} = inputs;
  const info = computeInvolutionInfo(x.shape, attrs);
  const module = deformWasm(wasm);
  const y = wasm.makeOutput(
    [info.batchSize, info.outHeight, info.outWidth, info.inChannels],
    'float32',
  );
  withPassMemory(wasm, module, windowParams(info, info.groups), ({params}) => {
    runOnThreads(
      wasm,
      'involutionForward',
      [
        params,
        address(wasm, x),
        address(wasm, kernel),
        address(wasm, y),
        0,
        info.batchSize * info.outHeight * info.outWidth,
      ],
      {work: involutionWork(info)},
    );
  });
  return y;
};

export const involutionConfig = typedKernelConfig(Involution, 'wasm', involution);
