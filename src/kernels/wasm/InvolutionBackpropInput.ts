import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {InvolutionAttrs, InvolutionBackpropInput, InvolutionInputs} from '../../kernel_names';
import {computeInvolutionInfo} from '../../ops/involution_util';
import {deformWasm} from './deform_wasm_module';
import {address, setGroupedGeometry} from './wasm_heap_util';

/** Returns `[dx, dKernel]`, as the cpu kernel; each pass writes every entry of its output. */
const involutionBackpropInput: KernelFunc = ({inputs, backend, attrs}) => {
  const wasm = backend as BackendWasm;
  const {x, kernel, dy} = inputs as InvolutionInputs & {dy: TensorInfo};
  const info = computeInvolutionInfo(x.shape, attrs as unknown as InvolutionAttrs);
  const module = deformWasm(wasm);
  const dx = wasm.makeOutput(x.shape, 'float32');
  const dKernel = wasm.makeOutput(kernel.shape, 'float32');
  setGroupedGeometry(module, info, info.groups);
  module.involutionBackpropInput(
    address(wasm, kernel),
    address(wasm, dy),
    address(wasm, dx),
    info.batchSize,
  );
  module.involutionBackpropKernel(
    address(wasm, x),
    address(wasm, dy),
    address(wasm, dKernel),
    info.batchSize * info.outHeight * info.outWidth,
  );
  return [dx, dKernel];
};

export const involutionBackpropInputConfig: KernelConfig = {
  kernelName: InvolutionBackpropInput,
  backendName: 'wasm',
  kernelFunc: involutionBackpropInput,
};
