import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {InvolutionBackpropInput} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeInvolutionInfo} from '../../shape/involution';
import {runOnThreads} from './pass_pool';
import {involutionWork} from './pass_work';
import {deformWasm} from './deform_wasm_module';
import {address, withPassMemory} from './wasm_heap_util';
import {windowParams} from './wasm_params';

/** Returns `[dx, dKernel]`, as the cpu kernel; each pass writes every entry of its output. */
const involutionBackpropInput: TypedKernelFunc<typeof InvolutionBackpropInput, BackendWasm> = ({
  inputs,
  backend: wasm,
  attrs,
}) => {
  const {x, kernel, dy} = inputs;
  const info = computeInvolutionInfo(x.shape, attrs);
  const module = deformWasm(wasm);
  const dx = wasm.makeOutput(x.shape, 'float32');
  const dKernel = wasm.makeOutput(kernel.shape, 'float32');
  withPassMemory(wasm, module, windowParams(info, info.groups), ({params}) => {
    runOnThreads(
      wasm,
      'involutionBackpropInput',
      [
        params,
        address(wasm, kernel),
        address(wasm, dy),
        address(wasm, dx),
        0,
        info.batchSize * info.inHeight * info.inWidth,
      ],
      {work: involutionWork(info)},
    );
    runOnThreads(
      wasm,
      'involutionBackpropKernel',
      [
        params,
        address(wasm, x),
        address(wasm, dy),
        address(wasm, dKernel),
        0,
        info.batchSize * info.outHeight * info.outWidth,
      ],
      {work: involutionWork(info)},
    );
  });
  return [dx, dKernel];
};

export const involutionBackpropInputConfig = typedKernelConfig(
  InvolutionBackpropInput,
  'wasm',
  involutionBackpropInput,
);
