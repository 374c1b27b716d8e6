/**
 * The deformable-convolution sampling passes on the wasm backend: our wasm
 * module (deform_wasm_module.ts) run in place on the backend's heap. Outputs
 * are made with `makeOutput` and filled entirely by the module (only a fresh
 * `dx` is zero-filled first, as the scatter adds into it). The input
 * gradients walk the samples once (`fusedInputGrads`): the coordinate
 * gradients, the scatter into dx and the columns the filter gradient needs.
 * Threads split that walk by whole images where a chunk holds several (their
 * rows add into disjoint images of dx, each in the single-threaded order);
 * within one image its gathers split by rows and col2im scatters dx by
 * channel ranges (disjoint writes).
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import type {KernelBackend, TensorInfo} from '@tensorflow/tfjs-core';

import type {DeformConvInfo} from '../../shape/deform_conv';
import type {DeformConvSampling} from '../deform_conv_sampling';
import {PassSplit, passSplits, runOnThreads} from './pass_pool';
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

/** Whether the rows `[rowStart, rowStart + rowCount)` are two or more whole images. */
function wholeImages(info: DeformConvInfo, rowStart: number, rowCount: number): boolean {
  const imageRows = info.outHeight * info.outWidth;
  return rowStart % imageRows === 0 && rowCount >= 2 * imageRows;
}

/** A zero-filled dx for the input gradient's first chunk. */
function zeroDx(wasm: BackendWasm, module: DeformWasmExports, info: DeformConvInfo): TensorInfo {
  const shape = [info.batchSize, info.inHeight, info.inWidth, info.inChannels];
  const dx = wasm.makeOutput(shape, 'float32');
  module.fillZero(address(wasm, dx), 4 * shape.reduce((a, b) => a * b));
  return dx;
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

  fusedInputGrads(backend, info, dCols, x, offset, mask, rowStart, rowCount, dx, withColumns) {
    const wasm = asWasm(backend);
    const module = deformWasm(wasm);
    const columns = withColumns
      ? wasm.makeOutput([info.groups, rowCount, info.taps * info.inChannelsPerGroup], 'float32')
      : null;
    const target = dx ?? zeroDx(wasm, module, info);
    const taps = info.offsetGroups * info.taps;
    const coordGrads = [wasm.makeOutput([rowCount, 2 * taps], 'float32')];
    if (mask != null) {
      coordGrads.push(wasm.makeOutput([rowCount, taps], 'float32'));
    }
    const work = samplingWork(info, rowCount);
    const byImages = wholeImages(info, rowStart, rowCount);
    // dx joins the walk unless threads would split a chunk within one image:
    // the walk's gathers then split by rows, and col2im scatters dx by channels.
    const apart = !byImages && passSplits(wasm, work);
    runPass(wasm, module, info, ({params, zeros}) => {
      const args: Parameters<DeformWasmExports['coordGrad']> = [
        params,
        address(wasm, dCols),
        address(wasm, x),
        address(wasm, offset),
        address(wasm, mask),
        address(wasm, coordGrads[0]),
        address(wasm, coordGrads[1] ?? null),
        address(wasm, columns),
        apart ? 0 : address(wasm, target),
        zeros,
        rowCount,
        rowStart,
        rowCount,
      ];
      const relative: PassSplit['relative'] = [
        ['dCols', columnRowBytes(info)],
        ['cols', columnRowBytes(info)],
        ['dOffset', 8 * taps],
        ['dMask', 4 * taps],
      ];
      if (apart || byImages) {
        const split = byImages ? {align: info.outHeight * info.outWidth} : {};
        runOnThreads(wasm, 'coordGrad', args, {...split, relative, work});
      } else {
        module.coordGrad(...args); // scatters into dx: never split by rows
      }
      if (apart) {
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
          {over: 'channels', work},
        );
      }
    });
    return {dx: target, coordGrads, columns};
  },
};
