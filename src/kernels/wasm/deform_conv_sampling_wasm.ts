/**
 * The deformable-convolution sampling passes on the wasm backend: our wasm
 * module (deform_wasm_module.ts) run in place on the backend's heap. Outputs
 * are made with `makeOutput` and filled entirely by the module (only a fresh
 * `dx` is zero-filled first, as col2im adds into it).
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import type {KernelBackend} from '@tensorflow/tfjs-core';

import type {DeformConvInfo} from '../../shape/deform_conv';
import type {DeformConvSampling} from '../deform_conv_sampling';
import {PassSplit, runOnThreads} from './pass_pool';
import {samplingWork} from './pass_work';
import {deformWasm, DeformWasmExports} from './deform_wasm_module';
import {address, PassMemory, withPassMemory} from './wasm_heap_util';
import {wasmMatMul} from './wasm_matmul';
import {ParamBlock, windowParams} from './wasm_params';

/** The window block of a deformable convolution. */
export function deformConvParams(info: DeformConvInfo): ParamBlock {
  return windowParams(info, info.groups, info.offsetGroups);
}

/**
 * Bytes of one row of one group's block of the columns `[G, rows, K C/G]`:
 * a part of the rows starting `k` rows in starts `k` such rows into each
 * block (the module keeps the blocks' stride, the chunk's rows).
 */
function columnRowBytes(info: DeformConvInfo): number {
  return 4 * info.taps * info.inChannelsPerGroup;
}

/**
 * How col2im (a scatter) splits over threads: by whole images where the
 * chunk holds several (their rows add into disjoint images of dx, each in
 * the single-threaded order), else by channel ranges.
 */
function col2imSplit(info: DeformConvInfo, rowStart: number, rowCount: number): PassSplit {
  const work = samplingWork(info, rowCount);
  const imageRows = info.outHeight * info.outWidth;
  if (rowStart % imageRows === 0 && rowCount >= 2 * imageRows) {
    return {align: imageRows, relative: [['dCols', columnRowBytes(info)]], work};
  }
  return {over: 'channels', work};
}

/**
 * The driver hands every pass the backend it runs on: on this backend's
 * kernels, the wasm backend.
 */
function asWasm(backend: KernelBackend): BackendWasm {
  return backend as BackendWasm;
}

/** Runs `pass` on `info`'s parameter block and a zero pixel. */
function runPass(
  backend: BackendWasm,
  module: DeformWasmExports,
  info: DeformConvInfo,
  pass: (memory: PassMemory) => void,
): void {
  withPassMemory(backend, module, deformConvParams(info), pass, {zeroChannels: info.inChannels});
}

export const wasmSampling: DeformConvSampling = {
  matMul: wasmMatMul,

  im2col(backend, info, x, offset, mask, rowStart, rowCount) {
    const wasm = asWasm(backend);
    const module = deformWasm(wasm);
    const cols = wasm.makeOutput(
      [info.groups, rowCount, info.taps * info.inChannelsPerGroup],
      'float32',
    );
    runPass(wasm, module, info, ({params, zeros}) => {
      runOnThreads(
        wasm,
        'im2col',
        [
          params,
          address(wasm, x),
          address(wasm, offset),
          address(wasm, mask),
          address(wasm, cols),
          zeros,
          rowCount,
          rowStart,
          rowCount,
        ],
        {relative: [['cols', columnRowBytes(info)]], work: samplingWork(info, rowCount)},
      );
    });
    return cols;
  },

  col2im(backend, info, dCols, offset, mask, rowStart, rowCount, dx) {
    const wasm = asWasm(backend);
    const module = deformWasm(wasm);
    const target =
      dx ??
      wasm.makeOutput([info.batchSize, info.inHeight, info.inWidth, info.inChannels], 'float32');
    runPass(wasm, module, info, ({params, zeros}) => {
      if (dx == null) {
        module.fillZero(
          address(wasm, target),
          info.batchSize * info.inHeight * info.inWidth * info.inChannels * 4,
        );
      }
      runOnThreads(
        wasm,
        'col2im',
        [
          params,
          address(wasm, dCols),
          address(wasm, offset),
          address(wasm, mask),
          address(wasm, target),
          zeros,
          rowCount,
          0,
          info.inChannels,
          rowStart,
          rowCount,
        ],
        col2imSplit(info, rowStart, rowCount),
      );
    });
    return target;
  },

  coordGrad(backend, info, dCols, x, offset, mask, rowStart, rowCount) {
    const wasm = asWasm(backend);
    const module = deformWasm(wasm);
    const taps = info.offsetGroups * info.taps;
    const grads = [wasm.makeOutput([rowCount, 2 * taps], 'float32')];
    if (mask != null) {
      grads.push(wasm.makeOutput([rowCount, taps], 'float32'));
    }
    runPass(wasm, module, info, ({params, zeros}) => {
      runOnThreads(
        wasm,
        'coordGrad',
        [
          params,
          address(wasm, dCols),
          address(wasm, x),
          address(wasm, offset),
          address(wasm, mask),
          address(wasm, grads[0]),
          address(wasm, grads[1] ?? null),
          zeros,
          rowCount,
          rowStart,
          rowCount,
        ],
        {
          relative: [
            ['dCols', columnRowBytes(info)],
            ['dOffset', 8 * taps],
            ['dMask', 4 * taps],
          ],
          work: samplingWork(info, rowCount),
        },
      );
    });
    return grads;
  },
};
