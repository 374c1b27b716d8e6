/**
 * The deformable convolutions' batched matrix products on the wasm backend:
 * our module's SIMD GEMM (assembly/gemm.ts) split by output rows over our
 * pass threads, which tfjs's XNNPACK matmul cannot use (it keeps to tfjs's
 * pool: one thread on a 2-core machine). Operands are read in place with
 * strides; `b` is packed per batch, and a transposed `a` whose depth steps
 * are a page apart is copied block by block to each thread's scratch.
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import type {DeformConvSampling} from '../deform_conv_sampling';
import {deformWasm, wasmHeap} from './deform_wasm_module';
import {passThreads, runOnThreads} from './pass_pool';
import {address} from './wasm_heap_util';

/** A memory page of the engine's host (x86, arm64): its TLB's unit. */
const PAGE_BYTES = 4096;

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
  const threads = passThreads(wasm);
  // Copied only where each depth step of `a` is a page or more away: below
  // that, reading it in place measured faster (dcn-mid, dcn-wide).
  const copyA = transposeA && 4 * rows >= PAGE_BYTES;
  const scratchBytes = copyA ? module.rowTileBytes() : 0;
  const bytes = packedBytes + threads * scratchBytes;
  const packed = heap._malloc(bytes) >>> 0;
  if (packed === 0) {
    wasm.disposeData(c.dataId);
    throw new Error(`tfjs-deform: the wasm heap has no room for ${bytes} bytes (GEMM operands)`);
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
          copyA ? packed + packedBytes : 0,
          0,
          rows,
        ],
        {
          align: 4,
          work: rows * depth * columns,
          scratch: copyA ? {threads, bytes: scratchBytes} : undefined,
        },
      );
    }
  } finally {
    heap._free(packed);
  }
  return c;
};
