import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import type {KernelConfig, KernelFunc} from '@tensorflow/tfjs-core';

import {Involution, InvolutionAttrs, InvolutionInputs} from '../../kernel_names';
import {computeInvolutionInfo} from '../../ops/involution_util';
import {deformWasm} from './deform_wasm_module';
import {address, setGroupedGeometry} from './wasm_heap_util';

const involution: KernelFunc = ({inputs, backend, attrs}) => {
  const wasm = backend as BackendWasm;
  const {x, kernel} = inputs as InvolutionInputs;
  const info = computeInvolutionInfo(x.shape, attrs as unknown as InvolutionAttrs);
  const module = deformWasm(wasm);
  const y = wasm.makeOutput(
    [info.batchSize, info.outHeight, info.outWidth, info.inChannels],
    'float32',
  );
  setGroupedGeometry(module, info, info.groups);
  module.involutionForward(
    address(wasm, x),
    address(wasm, kernel),
    address(wasm, y),
    info.batchSize * info.outHeight * info.outWidth,
  );
  return y;
};

export const involutionConfig: KernelConfig = {
  kernelName: Involution,
  backendName: 'wasm',
  kernelFunc: involution,
};
