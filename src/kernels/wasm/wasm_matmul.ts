/**
 * The deformable convolutions' batched matrix products on the wasm backend:
 * our module's SIMD GEMM (assembly/gemm.ts) split by output rows over our
 * pass threads, which tfjs's XNNPACK matmul cannot use (it keeps to tfjs's
 * pool: one thread on a 2-core machine). Operands are read in place with
 * strides, so a transposed one costs no copy; only `b` is packed, per batch.
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import type {DeformConvSampling} from '../deform_conv_sampling';
import {deformWasm, wasmHeap} from './deform_wasm_module';
import {runOnThreads} from './pass_pool';
import {address} from './wasm_heap_util';

export const wasmMatMul: NonNullable<DeformConvSampling['matMul']> = (
  backend,
  a,
  b,
  transposeA,
  transposeB,
  bias,
) => {
  const wasm = backend as BackendWasm;
  const module = deformWasm(wasm);
  const [batch, aRows, aColumns] = a.shape;
  const [rows, depth] = transposeA ? [aColumns, aRows] : [aRows, aColumns];
  const columns = transposeB ? b.shape[1] : b.shape[2];
  const c: TensorInfo = wasm.makeOutput([batch, rows, columns], 'float32');
  const heap = wasmHeap(wasm);
  const packedBytes = module.packedPanelBytes(depth, columns);
  const packed = heap._malloc(packedBytes) >>> 0;
  if (packed === 0) {
    wasm.disposeData(c.dataId);
    throw new Error(
      `tfjs-deform: the wasm heap has no room for ${packedBytes} bytes (GEMM operand)`,
    );
  }
  try {
    for (let g = 0; g < batch; g++) {
      module.packPanels(
        address(wasm, b) + 4 * g * depth * columns,
        transposeB ? 1 : columns,
        transposeB ? depth : 1,
        packed,
        depth,
        columns,
      );
      runOnThreads(
        wasm,
        'gemm',
        [
          address(wasm, a) + 4 * g * rows * depth,
          transposeA ? 1 : depth,
          transposeA ? rows : 1,
          packed,
          address(wasm, c) + 4 * g * rows * columns,
          columns,
          bias == null ? 0 : address(wasm, bias) + 4 * g * columns,
          depth,
          0,
          rows,
        ],
        {align: 4, work: rows * depth * columns},
      );
    }
  } finally {
    heap._free(packed);
  }
  return c;
};
