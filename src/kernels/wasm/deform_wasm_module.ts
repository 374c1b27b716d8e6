/**
 * tfjs-deform's own wasm module (AssemblyScript, assembly/index.ts,
 * built into generated/deform_wasm.ts by scripts/build_wasm.ts). It imports
 * the tfjs wasm backend's memory and works on tensors in place by byte
 * address. Two builds: one importing a plain memory (tfjs's plain and SIMD
 * binaries) and one importing a shared memory (its threaded SIMD binary).
 *
 * Both compile asynchronously when the package is imported (Chrome forbids
 * large synchronous compiles on the main thread); each backend instance then
 * gets its own instance, bound to its memory, on first use.
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {PLAIN_WASM_BASE64, SHARED_WASM_BASE64} from './generated/deform_wasm';

/** The exports of assembly/index.ts; every address is a byte offset in the heap. */
export interface DeformWasmExports {
  setGeometry(
    inHeight: number,
    inWidth: number,
    channels: number,
    outHeight: number,
    outWidth: number,
    filterHeight: number,
    filterWidth: number,
    strideHeight: number,
    strideWidth: number,
    dilationHeight: number,
    dilationWidth: number,
    padTop: number,
    padLeft: number,
    groups: number,
    offsetGroups: number,
  ): void;
  fillZero(at: number, bytes: number): void;
  im2col(
    x: number,
    offset: number,
    mask: number,
    cols: number,
    zeros: number,
    rowStart: number,
    rowCount: number,
  ): void;
  col2im(
    dCols: number,
    offset: number,
    mask: number,
    dx: number,
    zeros: number,
    rowStart: number,
    rowCount: number,
  ): void;
  coordGrad(
    dCols: number,
    x: number,
    offset: number,
    mask: number,
    dOffset: number,
    dMask: number,
    zeros: number,
    rowStart: number,
    rowCount: number,
  ): void;
  dcnv3ScratchBytes(removeCenter: boolean): number;
  dcnv3Forward(
    x: number,
    offset: number,
    mask: number,
    y: number,
    zeros: number,
    scratch: number,
    offsetScale: number,
    removeCenter: boolean,
    positions: number,
  ): void;
  dcnv3Backward(
    x: number,
    offset: number,
    mask: number,
    dy: number,
    dx: number,
    dOffset: number,
    dMask: number,
    zeros: number,
    offsetScale: number,
    removeCenter: boolean,
    positions: number,
  ): void;
  involutionForward(x: number, kernel: number, y: number, positions: number): void;
  involutionBackpropKernel(x: number, dy: number, dKernel: number, positions: number): void;
  involutionBackpropInput(kernel: number, dy: number, dx: number, batchSize: number): void;
  setImage(height: number, width: number, channels: number): void;
  deformRoiPoolForward(
    x: number,
    rois: number,
    offset: number,
    mask: number,
    y: number,
    batchSize: number,
    roiCount: number,
    pooledHeight: number,
    pooledWidth: number,
    spatialScale: number,
    samplingRatio: number,
    gamma: number,
  ): void;
  deformRoiPoolBackward(
    x: number,
    rois: number,
    offset: number,
    dy: number,
    dx: number,
    dOffset: number,
    batchSize: number,
    roiCount: number,
    pooledHeight: number,
    pooledWidth: number,
    spatialScale: number,
    samplingRatio: number,
    gamma: number,
  ): void;
  setPsRoiPool(
    outputDim: number,
    groupSize: number,
    pooledHeight: number,
    pooledWidth: number,
    partHeight: number,
    partWidth: number,
    samplesPerPart: number,
    spatialScale: number,
    transStd: number,
    classes: number,
  ): void;
  deformPsRoiPoolForward(
    x: number,
    rois: number,
    offset: number,
    y: number,
    batchSize: number,
    roiCount: number,
  ): void;
  deformPsRoiPoolBackward(
    x: number,
    rois: number,
    offset: number,
    dy: number,
    dx: number,
    dOffset: number,
    batchSize: number,
    roiCount: number,
  ): void;
  depthwiseBackpropFilter(
    x: number,
    dy: number,
    dFilter: number,
    multiplier: number,
    positions: number,
  ): void;
  depthwiseBackpropInput(
    filter: number,
    dy: number,
    dx: number,
    multiplier: number,
    batchSize: number,
  ): void;
}

/** What this package uses of the backend's emscripten module. */
export interface WasmHeap {
  /** Set by the threaded build (shared memory). */
  wasmMemory?: WebAssembly.Memory;
  /** The instance exports; `memory` in the non-threaded builds. */
  asm?: {memory?: WebAssembly.Memory};
  _malloc(bytes: number): number;
  _free(at: number): void;
}

export function wasmHeap(backend: BackendWasm): WasmHeap {
  return backend.wasm as unknown as WasmHeap;
}

type Compilation = {module: WebAssembly.Module} | {error: unknown} | undefined;

let plain: Compilation;
let shared: Compilation;

function compile(base64: string): Promise<Compilation> {
  return Promise.resolve()
    .then(() => WebAssembly.compile(Uint8Array.from(atob(base64), ch => ch.charCodeAt(0))))
    .then(
      module => ({module}),
      error => ({error}),
    );
}

const compiled = Promise.all([
  compile(PLAIN_WASM_BASE64).then(c => {
    plain = c;
  }),
  compile(SHARED_WASM_BASE64).then(c => {
    shared = c;
  }),
]);

/**
 * Resolves once tfjs-deform's wasm module has compiled (it starts compiling
 * when the package is imported). The package's kernels on the tfjs `wasm`
 * backend need it (its ops, and the depthwise-convolution gradients it adds
 * there): `await tfdeform.ready()` once before running them there (for
 * example right after `await tf.setBackend('wasm')`); a wasm kernel that runs
 * earlier throws. Other backends do not need it. Never
 * rejects: a failed compilation is reported by the kernels that need it.
 */
export async function ready(): Promise<void> {
  await compiled;
}

/** The backend's heap: plain, or shared in the threaded build. */
export function heapMemory(backend: BackendWasm): WebAssembly.Memory {
  const heap = wasmHeap(backend);
  const memory = heap.wasmMemory ?? heap.asm?.memory;
  if (memory == null) {
    throw new Error('tfjs-deform: cannot find the memory of this tfjs-backend-wasm version');
  }
  return memory;
}

function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

function compiledModule(sharedMemory: boolean): WebAssembly.Module {
  const compilation = sharedMemory ? shared : plain;
  if (compilation == null) {
    throw new Error(
      'tfjs-deform: its wasm module is still compiling; ' +
        "`await tfdeform.ready()` (the package's `ready()` export) before " +
        'running its ops (or depthwise-convolution gradients) on the wasm backend',
    );
  }
  if ('error' in compilation) {
    throw new Error(
      `tfjs-deform: its wasm module (${
        sharedMemory ? 'shared' : 'plain'
      } memory) failed to compile in this ` + `environment: ${compilation.error}`,
    );
  }
  return compilation.module;
}

/** One instance per heap: a new backend instance has a new memory. */
const instances = new WeakMap<WebAssembly.Memory, DeformWasmExports>();

/** The module instantiated on the backend's heap. */
export function deformWasm(backend: BackendWasm): DeformWasmExports {
  const memory = heapMemory(backend);
  let exports = instances.get(memory);
  if (exports == null) {
    const instance = new WebAssembly.Instance(compiledModule(isShared(memory)), {env: {memory}});
    exports = instance.exports as unknown as DeformWasmExports;
    instances.set(memory, exports);
  }
  return exports;
}
