/**
 * The deformable-convolution sampling passes on the wasm backend: our wasm
 * module (deform_wasm_module.ts) run in place on the backend's heap. Outputs
 * are made with `makeOutput` and filled entirely by the module (only a fresh
 * `dx` is zero-filled first, as col2im adds into it).
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import type {DeformConvInfo} from '../../shape/deform_conv';
import type {DeformConvSampling} from '../deform_conv_sampling';
import {deformWasm, DeformWasmExports} from './deform_wasm_module';
import {address, setWindowGeometry, withZeroPixel} from './wasm_heap_util';

/** Sets the module's geometry (its globals) to `info`. */
export function setModuleGeometry(module: DeformWasmExports, info: DeformConvInfo): void {
  setWindowGeometry(module, info, info.groups, info.offsetGroups);
}

/** Runs `pass` with `module` set to `info`'s geometry and a zero pixel. */
function runPass(
  backend: BackendWasm,
  module: DeformWasmExports,
  info: DeformConvInfo,
  pass: (zeros: number) => void,
): void {
  withZeroPixel(backend, module, info.inChannels, zeros => {
    setModuleGeometry(module, info);
    pass(zeros);
  });
}

export const wasmSampling: DeformConvSampling = {
  explicitTransposes: true,

  im2col(backend, info, x, offset, mask, rowStart, rowCount) {
    const wasm = backend as BackendWasm;
    const module = deformWasm(wasm);
    const cols = wasm.makeOutput(
      [info.groups, rowCount, info.taps * info.inChannelsPerGroup],
      'float32',
    );
    runPass(wasm, module, info, zeros => {
      module.im2col(
        address(wasm, x),
        address(wasm, offset),
        address(wasm, mask),
        address(wasm, cols),
        zeros,
        rowStart,
        rowCount,
      );
    });
    return cols;
  },

  col2im(backend, info, dCols, offset, mask, rowStart, rowCount, dx) {
    const wasm = backend as BackendWasm;
    const module = deformWasm(wasm);
    const target =
      dx ??
      wasm.makeOutput([info.batchSize, info.inHeight, info.inWidth, info.inChannels], 'float32');
    runPass(wasm, module, info, zeros => {
      if (dx == null) {
        module.fillZero(
          address(wasm, target),
          info.batchSize * info.inHeight * info.inWidth * info.inChannels * 4,
        );
      }
      module.col2im(
        address(wasm, dCols),
        address(wasm, offset),
        address(wasm, mask),
        address(wasm, target),
        zeros,
        rowStart,
        rowCount,
      );
    });
    return target;
  },

  coordGrad(backend, info, dCols, x, offset, mask, rowStart, rowCount) {
    const wasm = backend as BackendWasm;
    const module = deformWasm(wasm);
    const taps = info.offsetGroups * info.taps;
    const grads = [wasm.makeOutput([rowCount, 2 * taps], 'float32')];
    if (mask != null) {
      grads.push(wasm.makeOutput([rowCount, taps], 'float32'));
    }
    runPass(wasm, module, info, zeros => {
      module.coordGrad(
        address(wasm, dCols),
        address(wasm, x),
        address(wasm, offset),
        address(wasm, mask),
        address(wasm, grads[0]),
        address(wasm, grads[1] ?? null),
        zeros,
        rowStart,
        rowCount,
      );
    });
    return grads;
  },
};
