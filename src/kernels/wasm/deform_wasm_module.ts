/**
 * tfjs-deform's own wasm module (AssemblyScript, assembly/index.ts,
 * built into generated/deform_wasm.ts by scripts/build_wasm.ts). It imports
 * the tfjs wasm backend's memory and works on tensors in place by byte
 * address. Two builds: one importing a plain memory (tfjs's plain and SIMD
 * binaries) and one importing a shared memory (its threaded SIMD binary),
 * each also with relaxed SIMD, taken where the engine compiles it.
 *
 * Both compile asynchronously when the package is imported (Chrome forbids
 * large synchronous compiles on the main thread); each backend instance then
 * gets its own instance, bound to its memory, on first use.
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';

import {
  PLAIN_RELAXED_WASM_BASE64,
  PLAIN_WASM_BASE64,
  SHARED_RELAXED_WASM_BASE64,
  SHARED_WASM_BASE64,
} from './generated/deform_wasm';

/**
 * Every export of assembly/index.ts with its parameters, in order: the JS
 * side's one description of the module. `DeformWasmExports` is derived from
 * it, instantiation checks each export's arity against it, and
 * test/specs/wasm_exports.spec.ts checks it against the built module's
 * export list. Every address is a byte offset in the heap; `params` is the
 * address of a parameter block (wasm_params.ts); a pass handles its rows
 * `[rowStart, rowStart + rowCount)` (output positions, input pixels for the
 * input gradients written as gathers, RoIs for the poolings), col2im also a
 * channel range (as the RoI pool's input gradient) and dcnv3Backward a group
 * range. No export depends on an
 * earlier call.
 */
export const DEFORM_WASM_EXPORTS = {
  paramWords: ['kind'],
  fillZero: ['at', 'bytes'],
  packedPanelBytes: ['depth', 'columns'],
  packPanels: ['b', 'depthStride', 'columnStride', 'packed', 'depth', 'columns'],
  rowTileBytes: [],
  gemm: [
    'a',
    'rowStride',
    'depthStride',
    'packed',
    'c',
    'columns',
    'bias',
    'depth',
    'scratch',
    'rowStart',
    'rowCount',
  ],
  im2col: ['params', 'x', 'offset', 'mask', 'cols', 'zeros', 'columnRows', 'rowStart', 'rowCount'],
  col2im: [
    'params',
    'dCols',
    'offset',
    'mask',
    'dx',
    'zeros',
    'columnRows',
    'channelStart',
    'channelCount',
    'rowStart',
    'rowCount',
  ],
  coordGrad: [
    'params',
    'dCols',
    'x',
    'offset',
    'mask',
    'dOffset',
    'dMask',
    'cols',
    'dx',
    'zeros',
    'columnRows',
    'rowStart',
    'rowCount',
  ],
  dcnv3ScratchBytes: ['points'],
  dcnv3Forward: [
    'params',
    'x',
    'offset',
    'mask',
    'y',
    'zeros',
    'scratch',
    'offsetScale',
    'removeCenter',
    'rowStart',
    'rowCount',
  ],
  dcnv3Backward: [
    'params',
    'x',
    'offset',
    'mask',
    'dy',
    'dx',
    'dOffset',
    'dMask',
    'zeros',
    'offsetScale',
    'removeCenter',
    'groupStart',
    'groupCount',
    'rowStart',
    'rowCount',
  ],
  involutionForward: ['params', 'x', 'kernel', 'y', 'rowStart', 'rowCount'],
  involutionBackpropKernel: ['params', 'x', 'dy', 'dKernel', 'rowStart', 'rowCount'],
  involutionBackpropInput: ['params', 'kernel', 'dy', 'dx', 'rowStart', 'rowCount'],
  depthwiseBackpropFilter: [
    'params',
    'x',
    'dy',
    'dFilter',
    'multiplier',
    'tapStart',
    'tapCount',
    'rowStart',
    'rowCount',
  ],
  depthwiseBackpropInput: ['params', 'filter', 'dy', 'dx', 'multiplier', 'rowStart', 'rowCount'],
  deformRoiPoolForward: [
    'params',
    'x',
    'rois',
    'offset',
    'mask',
    'y',
    'spatialScale',
    'gamma',
    'rowStart',
    'rowCount',
  ],
  deformRoiPoolBackwardOffset: [
    'params',
    'x',
    'rois',
    'offset',
    'dy',
    'dOffset',
    'spatialScale',
    'gamma',
    'rowStart',
    'rowCount',
  ],
  deformRoiPoolBackwardInput: [
    'params',
    'x',
    'rois',
    'offset',
    'dy',
    'dx',
    'spatialScale',
    'gamma',
    'channelStart',
    'channelCount',
    'rowStart',
    'rowCount',
  ],
  deformPsRoiPoolForward: [
    'params',
    'x',
    'rois',
    'offset',
    'y',
    'spatialScale',
    'transStd',
    'rowStart',
    'rowCount',
  ],
  deformPsRoiPoolBackward: [
    'params',
    'x',
    'rois',
    'offset',
    'dy',
    'dx',
    'entryGrads',
    'spatialScale',
    'transStd',
    'channelStart',
    'channelCount',
    'rowStart',
    'rowCount',
  ],
  deformPsRoiPoolOffsetSum: ['params', 'entryGrads', 'dOffset', 'rowStart', 'rowCount'],
} as const;

/** The exports that return a number (the others return nothing). */
type NumberResults = 'paramWords' | 'dcnv3ScratchBytes' | 'packedPanelBytes' | 'rowTileBytes';

type ExportName = keyof typeof DEFORM_WASM_EXPORTS;

/** One number per listed parameter (a tuple, so the arity is part of the type). */
type NumberArgs<Params extends readonly string[]> = {-readonly [I in keyof Params]: number};

/**
 * The exports of assembly/index.ts, typed from `DEFORM_WASM_EXPORTS`: one
 * number argument per listed parameter (booleans as 0 / 1).
 */
export type DeformWasmExports = {
  [K in ExportName]: (
    ...args: NumberArgs<(typeof DEFORM_WASM_EXPORTS)[K]>
  ) => K extends NumberResults ? number : void;
};

/** The names of `exports` that are not functions of `DEFORM_WASM_EXPORTS`' arity, with what they are. */
export function exportMismatches(exports: WebAssembly.Exports): string[] {
  return Object.entries(DEFORM_WASM_EXPORTS).flatMap(([name, params]) => {
    const value = exports[name];
    if (typeof value !== 'function') {
      return [`${name}: ${value == null ? 'missing' : 'not a function'}`];
    }
    return value.length === params.length
      ? []
      : [`${name}: ${value.length} parameters, expected ${params.length}`];
  });
}

function hasDeformExports(
  exports: WebAssembly.Exports,
): exports is WebAssembly.Exports & DeformWasmExports {
  return exportMismatches(exports).length === 0;
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

type BackendModule = BackendWasm['wasm'];

/** tfjs-backend-wasm types its module without emscripten's API (its `EmscriptenModule` types are not loaded). */
function hasHeap(module: BackendModule): module is BackendModule & WasmHeap {
  return (
    '_malloc' in module &&
    typeof module._malloc === 'function' &&
    '_free' in module &&
    typeof module._free === 'function'
  );
}

export function wasmHeap(backend: BackendWasm): WasmHeap {
  const module = backend.wasm;
  if (!hasHeap(module)) {
    throw new Error('tfjs-deform: cannot find the allocator of this tfjs-backend-wasm version');
  }
  return module;
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

/** The relaxed-SIMD build where the engine compiles it (fused multiply-adds), else the other. */
function compileBest(relaxed: string, fallback: string): Promise<Compilation> {
  return compile(relaxed).then(c => (c != null && 'module' in c ? c : compile(fallback)));
}

const compiled = Promise.all([
  compileBest(PLAIN_RELAXED_WASM_BASE64, PLAIN_WASM_BASE64).then(c => {
    plain = c;
  }),
  compileBest(SHARED_RELAXED_WASM_BASE64, SHARED_WASM_BASE64).then(c => {
    shared = c;
  }),
]);

/** Resolves once both builds of the module have compiled (or failed to). */
export async function compiledModules(): Promise<void> {
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

/** The compiled module for a plain or a shared memory (throws before `ready()`). */
export function compiledModule(sharedMemory: boolean): WebAssembly.Module {
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
    const sharedMemory = isShared(memory);
    const instance = new WebAssembly.Instance(compiledModule(sharedMemory), {env: {memory}});
    // The one check of the exports against DEFORM_WASM_EXPORTS, which types them.
    const checked = instance.exports;
    if (!hasDeformExports(checked)) {
      throw new Error(
        `tfjs-deform: its wasm module (${sharedMemory ? 'shared' : 'plain'} memory) does not match ` +
          `DEFORM_WASM_EXPORTS: ${exportMismatches(checked).join('; ')}`,
      );
    }
    exports = checked;
    instances.set(memory, exports);
  }
  return exports;
}
