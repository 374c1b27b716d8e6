/** Helpers shared by the wasm kernels that run our module on tfjs's heap. */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {DeformWasmExports, heapMemory, wasmHeap} from './deform_wasm_module';
import type {ParamBlock} from './wasm_params';

/** Byte address of a tensor's data; 0 (never a tensor) stands for "absent". */
export function address(backend: BackendWasm, t: TensorInfo | null): number {
  return t == null ? 0 : backend.getMemoryOffset(t.dataId);
}

/** Addresses of the memory one kernel call hands to the module's passes. */
export interface PassMemory {
  /** The parameter block. */
  params: number;
  /** A zero pixel (`zeroChannels` floats), for sampler corners outside the input. */
  zeros: number;
  /** `scratchBytes` of scratch, 16-byte aligned (SIMD). */
  scratch: number;
}

/** Bytes of `count` f32 / i32 words rounded up to 16, so what follows stays SIMD-aligned. */
function alignedWords(count: number): number {
  return Math.ceil(count / 4) * 16;
}

/**
 * Runs `pass` with the parameter block `block` written into the heap, a zero
 * pixel of `zeroChannels` floats and `scratchBytes` of scratch after it: one
 * block from the backend's allocator, freed afterwards. Callers get the
 * module (which throws before `ready()`) and allocate their outputs first:
 * allocation may grow the heap, and addresses stay valid while views would
 * not.
 */
export function withPassMemory(
  backend: BackendWasm,
  module: DeformWasmExports,
  block: ParamBlock,
  pass: (memory: PassMemory) => void,
  {zeroChannels = 0, scratchBytes = 0}: {zeroChannels?: number; scratchBytes?: number} = {},
): void {
  const heap = wasmHeap(backend);
  const paramBytes = alignedWords(block.words.length);
  const zeroBytes = alignedWords(zeroChannels);
  // `>>> 0`: above 2 GiB _malloc's result reads as negative.
  const params = heap._malloc(paramBytes + zeroBytes + scratchBytes) >>> 0;
  if (params === 0) {
    throw new Error(
      `tfjs-deform: the wasm heap has no room for ${paramBytes + zeroBytes + scratchBytes} bytes ` +
        '(parameters and scratch of a pass)',
    );
  }
  try {
    new Int32Array(heapMemory(backend).buffer, params, block.words.length).set(block.words);
    const zeros = params + paramBytes;
    module.fillZero(zeros, zeroBytes);
    pass({params, zeros, scratch: zeros + zeroBytes});
  } finally {
    heap._free(params);
  }
}
