import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import type {KernelConfig, KernelFunc} from '@tensorflow/tfjs-core';

import {DCNv3, DCNv3Attrs, DCNv3Inputs} from '../../kernel_names';
import {computeDcnv3Info} from '../../ops/dcnv3_util';
import {deformWasm} from './deform_wasm_module';
import {address, setGroupedGeometry, withZeroPixel} from './wasm_heap_util';

const dcnv3: KernelFunc = ({inputs, backend, attrs}) => {
  const wasm = backend as BackendWasm;
  const {x, offset, mask} = inputs as DCNv3Inputs;
  const info = computeDcnv3Info(x.shape, attrs as unknown as DCNv3Attrs);
  const module = deformWasm(wasm);
  const y = wasm.makeOutput(
    [info.batchSize, info.outHeight, info.outWidth, info.inChannels],
    'float32',
  );
  setGroupedGeometry(module, info, info.groups);
  withZeroPixel(
    wasm,
    module,
    info.inChannels,
    (zeros, scratch) => {
      module.dcnv3Forward(
        address(wasm, x),
        address(wasm, offset),
        address(wasm, mask),
        address(wasm, y),
        zeros,
        scratch,
        info.offsetScale,
        info.removeCenter,
        info.batchSize * info.outHeight * info.outWidth,
      );
    },
    module.dcnv3ScratchBytes(info.removeCenter),
  );
  return y;
};

export const dcnv3Config: KernelConfig = {
  kernelName: DCNv3,
  backendName: 'wasm',
  kernelFunc: dcnv3,
};
