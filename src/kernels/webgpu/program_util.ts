/**
 * Running our compute programs on the webgpu backend, shared by every op.
 * Programs bake their shapes into the WGSL (so the compiler sees constant
 * loop bounds and strides) and say so in `shaderKey`: tfjs caches pipelines
 * by that key plus input ranks and dtypes, never by shape. Every program is
 * flat: thread `index` computes one output element (or, for a scatter, one
 * contribution), and takes the chunk's first row as a uniform so that the
 * chunks of one call share a pipeline. Inputs are read as `f32(name[i])`:
 * a float32 tensor may sit in an int32 buffer (tfjs casts int32 to float32
 * without a copy, converting wherever its own programs read it).
 */
import type {WebGPUBackend, WebGPUProgram} from '@tensorflow/tfjs-backend-webgpu';
import type {TensorInfo} from '@tensorflow/tfjs-core';

import {runBackendKernel} from '../kernel_util';

const WORKGROUP_SIZE = 64;

/** What an op's program declares; the rest of a WebGPUProgram follows from it. */
export interface FlatProgramSpec {
  /** Names the WGSL text's generator; with `constants`, the pipeline cache key. */
  name: string;
  /** Everything baked into the WGSL (shapes, attributes). */
  constants: object;
  variableNames: string[];
  outputShape: number[];
  /** Threads to run: the output's size, or a scatter's contribution count. */
  threads: number;
  /** WGSL defining `fn main(index : i32)`; may read `uniforms.rowStart`. */
  userCode: string;
  /** The output is bound as `array<atomic<i32>>` (a scatter adding with {@link ATOMIC_ADD_WGSL}). */
  atomic?: boolean;
}

/** A flat program, with the thread count its dispatch and `threads` uniform need. */
export interface FlatProgram extends WebGPUProgram {
  threads: number;
}

export function flatProgram(spec: FlatProgramSpec): FlatProgram {
  return {
    threads: spec.threads,
    variableNames: spec.variableNames,
    outputShape: spec.outputShape,
    shaderKey: `tfdeform_${spec.name}_${JSON.stringify(spec.constants)}`,
    dispatchLayout: {x: spec.outputShape.map((_, i) => i)},
    dispatch: [Math.ceil(spec.threads / WORKGROUP_SIZE), 1, 1],
    workgroupSize: [WORKGROUP_SIZE, 1, 1],
    uniforms: 'rowStart : i32, threads : i32,',
    atomic: spec.atomic,
    getUserCode: () => spec.userCode,
  };
}

/**
 * Runs a flat program; `output` (with `atomic`) is the zero-based tensor the
 * scatter adds into, and is returned.
 */
export function runProgram(
  backend: WebGPUBackend,
  program: FlatProgram,
  inputs: TensorInfo[],
  rowStart = 0,
  output?: TensorInfo,
): TensorInfo {
  return backend.runWebGPUProgram(
    program,
    inputs,
    'float32',
    [
      {type: 'int32', data: [rowStart]},
      {type: 'int32', data: [program.threads]},
    ],
    output,
  );
}

/** A zero-filled float32 tensor, the start of a scatter. */
export function zeros(backend: WebGPUBackend, shape: number[]): TensorInfo {
  return runBackendKernel(backend, 'Fill', [], {shape, value: 0, dtype: 'float32'});
}

/**
 * `fn atomicAddFloat(i : i32, v : f32)`: `result[i] += v` on an output bound
 * as `array<atomic<i32>>`. WGSL atomics are integer-only, so the float's
 * bits are swapped in by compare-exchange until no other thread intervened.
 */
export const ATOMIC_ADD_WGSL = `
  fn atomicAddFloat(i : i32, v : f32) {
    var seen = atomicLoad(&result[i]);
    loop {
      let sum = bitcast<i32>(bitcast<f32>(seen) + v);
      let swap = atomicCompareExchangeWeak(&result[i], seen, sum);
      if (swap.exchanged) {
        break;
      }
      seen = swap.old_value;
    }
  }
`;

/** The flat program's guard: threads past the work do nothing. */
export const THREAD_GUARD_WGSL = 'if (index >= uniforms.threads) { return; }';
