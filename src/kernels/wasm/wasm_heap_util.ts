/** Helpers shared by the wasm kernels that run our module on tfjs's heap. */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import type {WindowGeometry} from '../../shape/window';
import {DeformWasmExports, wasmHeap} from './deform_wasm_module';

/** Byte address of a tensor's data; 0 (never a tensor) stands for "absent". */
export function address(backend: BackendWasm, t: TensorInfo | null): number {
  return t == null ? 0 : backend.getMemoryOffset(t.dataId);
}

/** Sets the module's geometry (its globals) to a window op's. */
export function setWindowGeometry(
  module: DeformWasmExports,
  geometry: WindowGeometry,
  groups: number,
  offsetGroups: number,
): void {
  module.setGeometry(
    geometry.inHeight,
    geometry.inWidth,
    geometry.inChannels,
    geometry.outHeight,
    geometry.outWidth,
    geometry.filterHeight,
    geometry.filterWidth,
    geometry.strideHeight,
    geometry.strideWidth,
    geometry.dilationHeight,
    geometry.dilationWidth,
    geometry.padTop,
    geometry.padLeft,
    groups,
    offsetGroups,
  );
}

/**
 * For a window op whose channel groups are also its sampling groups (DCNv3,
 * involution): a run of the module is then one group's channels.
 */
export function setGroupedGeometry(
  module: DeformWasmExports,
  geometry: WindowGeometry,
  groups: number,
): void {
  setWindowGeometry(module, geometry, groups, groups);
}

/**
 * Runs `pass` with a zero pixel (`channels` floats, for sampler corners
 * outside the input) and `scratchBytes` of scratch after it, from the
 * backend's allocator, freed afterwards. Callers get the module (which throws
 * before `ready()`) and allocate their outputs first: allocation may grow the
 * heap, and addresses stay valid while views would not.
 */
export function withZeroPixel(
  backend: BackendWasm,
  module: DeformWasmExports,
  channels: number,
  pass: (zeros: number, scratch: number) => void,
  scratchBytes = 0,
): void {
  const heap = wasmHeap(backend);
  // The scratch starts 16-byte aligned, for SIMD loads.
  const zeroBytes = Math.ceil(channels / 4) * 16;
  // `>>> 0`: above 2 GiB _malloc's result reads as negative.
  const zeros = heap._malloc(zeroBytes + scratchBytes) >>> 0;
  try {
    module.fillZero(zeros, zeroBytes);
    pass(zeros, zeros + zeroBytes);
  } finally {
    heap._free(zeros);
  }
}
