/**
 * Our wasm module shares tfjs's heap, so a stray write corrupts tensors. The
 * passes are called directly on buffers with sentinel guards, and the whole
 * heap is compared before and after; repeated calls must not grow the heap.
 * Runs only when `wasm` is a backend under test.
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

import {modulatedDeformConv2d} from '../../src/index';
import {setModuleGeometry} from '../../src/kernels/wasm/deform_conv_sampling_wasm';
import {deformWasm, heapMemory, wasmHeap} from '../../src/kernels/wasm/deform_wasm_module';
import {deformCol2im, deformCoordGrad, deformIm2col} from '../../src/kernels/reference/deform_sampling';
import {computeDeformConvInfo, DeformConvInfo} from '../../src/ops/deform_conv_util';
import {describeBackend} from '../util/backends';
import {expectClose} from '../util/expect';
import {rng} from '../util/random';

const GUARD_FLOATS = 16;
const SENTINEL = 0x7fbadbad;  // a NaN bit pattern: no computed value has it
const POISON = [NaN, Infinity, -Infinity, 1e30, -1e30, 40, -40];

/** Float buffers laid out in one `_malloc`ed block, each between two guards. */
class GuardedArena {
  private readonly starts: number[] = [];
  private readonly base: number;
  private readonly totalFloats: number;

  constructor(private readonly backend: BackendWasm, readonly sizes: number[]) {
    let at = GUARD_FLOATS;
    for (const size of sizes) {
      this.starts.push(at);
      at += size + GUARD_FLOATS;
    }
    this.totalFloats = at;
    this.base = wasmHeap(backend)._malloc(at * 4) >>> 0;
    new Uint32Array(this.heap(), this.base, at).fill(SENTINEL);
  }

  private heap(): ArrayBuffer {
    return heapMemory(this.backend).buffer as ArrayBuffer;
  }

  address(buffer: number): number {
    return this.base + 4 * this.starts[buffer];
  }

  /** A fresh view (views detach when the heap grows). */
  view(buffer: number): Float32Array {
    return new Float32Array(this.heap(), this.address(buffer), this.sizes[buffer]);
  }

  expectGuardsIntact(names: string[]): void {
    const words = new Uint32Array(this.heap(), this.base, this.totalFloats);
    const guards = [0, ...this.starts.map((s, i) => s + this.sizes[i])];
    guards.forEach((start, i) => {
      const intact = words.subarray(start, start + GUARD_FLOATS).every(w => w === SENTINEL);
      expect(intact).withContext(`guard after ${i === 0 ? 'start' : names[i - 1]}`).toBeTrue();
    });
  }

  free(): void {
    wasmHeap(this.backend)._free(this.base);
  }
}

/** Runs `pass` and checks that no word of the heap changed outside the byte `ranges`. */
function expectWritesOnlyWithin(
    backend: BackendWasm, ranges: Array<[number, number]>, pass: () => void,
    what: string): void {
  const before = new Uint32Array(heapMemory(backend).buffer as ArrayBuffer).slice();
  pass();
  const after = new Uint32Array(heapMemory(backend).buffer as ArrayBuffer);
  expect(after.length).withContext(`${what}: heap size`).toBe(before.length);
  const allowed = (word: number) =>
      ranges.some(([from, to]) => word * 4 >= from && word * 4 < to);
  let stray = -1;
  for (let w = 0; w < before.length && stray < 0; w++) {
    if (before[w] !== after[w] && !allowed(w)) {
      stray = w;
    }
  }
  expect(stray).withContext(`${what}: byte ${stray * 4} written outside the output`).toBe(-1);
}

function randomInfo(random: () => number): DeformConvInfo {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  for (;;) {
    const groups = int(1, 2);
    const offsetGroups = int(1, 3);
    const channels = groups * offsetGroups * int(1, 3);
    const info = computeDeformConvInfo(
        [int(1, 2), int(1, 6), int(1, 6), channels],
        [int(1, 3), int(1, 3), channels / groups, groups * int(1, 2)], {
          strides: [int(1, 2), int(1, 2)],
          dilations: [int(1, 2), int(1, 2)],
          pad: [[int(0, 2), int(0, 2)], [int(0, 2), int(0, 2)]],
          groups,
          offsetGroups,
        });
    if (info.outHeight >= 1 && info.outWidth >= 1) {
      return info;
    }
  }
}

describeBackend('wasm', 'tfjs-deform wasm module memory', () => {
    let backend: BackendWasm;

    beforeAll(() => {
      backend = tf.backend() as BackendWasm;
    });

    it('writes exactly its outputs, for random configurations and non-finite offsets', () => {
      const random = rng(99);
      const module = deformWasm(backend);
      for (let trial = 0; trial < 20; trial++) {
        const info = randomInfo(random);
        const rows = info.batchSize * info.outHeight * info.outWidth;
        const rowStart = Math.floor(random() * rows);
        const rowCount = 1 + Math.floor(random() * (rows - rowStart));
        const taps = info.offsetGroups * info.kernelSize;
        const imageSize = info.batchSize * info.inHeight * info.inWidth * info.inChannels;
        const colsSize = rowCount * info.kernelSize * info.inChannels;
        const names = ['x', 'offset', 'mask', 'zeros', 'cols', 'dCols', 'dx', 'dOffset', 'dMask'];
        const sizes = [imageSize, rows * 2 * taps, rows * taps, info.inChannels, colsSize,
                       colsSize, imageSize, rowCount * 2 * taps, rowCount * taps];
        const arena = new GuardedArena(backend, sizes);
        const [x, offset, mask, zeros, cols, dCols, dx, dOffset, dMask] =
            names.map((_, i) => i);
        const uniform = () => 2 * random() - 1;
        for (const b of [x, mask, dCols, dx]) arena.view(b).set(arena.view(b).map(uniform));
        arena.view(offset).set(arena.view(offset).map(
            () => random() < 0.15 ? POISON[Math.floor(random() * POISON.length)] : 8 * random() - 4));
        arena.view(zeros).fill(0);
        const within = (...buffers: number[]): Array<[number, number]> =>
            buffers.map(b => [arena.address(b), arena.address(b) + 4 * sizes[b]]);
        const where = `trial ${trial} ${JSON.stringify(info)} rows [${rowStart}, +${rowCount})`;
        const copy = (b: number) => arena.view(b).slice();

        // Half the trials without a mask (address 0): dMask must then stay untouched.
        const masked = random() < 0.5;
        const a = (b: number) => (b === mask || b === dMask) && !masked ? 0 : arena.address(b);
        const maskValues = () => masked ? copy(mask) : null;
        setModuleGeometry(module, info);
        const expectedCols = new Float32Array(colsSize);
        deformIm2col(info, copy(x), copy(offset), maskValues(), rowStart, rowCount, expectedCols);
        expectWritesOnlyWithin(backend, within(cols), () => module.im2col(
            a(x), a(offset), a(mask), a(cols), a(zeros), rowStart, rowCount), `${where} im2col`);
        expectClose(Array.from(arena.view(cols)), Array.from(expectedCols), {}, `${where} cols`);

        const expectedDx = copy(dx);
        deformCol2im(info, copy(dCols), copy(offset), maskValues(), rowStart, rowCount, expectedDx);
        expectWritesOnlyWithin(backend, within(dx), () => module.col2im(
            a(dCols), a(offset), a(mask), a(dx), a(zeros), rowStart, rowCount), `${where} col2im`);
        expectClose(Array.from(arena.view(dx)), Array.from(expectedDx), {}, `${where} dx`);

        const expectedDOffset = new Float32Array(rowCount * 2 * taps);
        const expectedDMask = masked ? new Float32Array(rowCount * taps) : null;
        deformCoordGrad(info, copy(dCols), copy(x), copy(offset), maskValues(), rowStart, rowCount,
                        expectedDOffset, expectedDMask);
        expectWritesOnlyWithin(backend, masked ? within(dOffset, dMask) : within(dOffset), () => module.coordGrad(
            a(dCols), a(x), a(offset), a(mask), a(dOffset), a(dMask), a(zeros), rowStart,
            rowCount), `${where} coordGrad`);
        expectClose(Array.from(arena.view(dOffset)), Array.from(expectedDOffset),
                    {atol: 1e-4, rtol: 1e-4}, `${where} dOffset`);
        if (masked) {
          expectClose(Array.from(arena.view(dMask)), Array.from(expectedDMask!),
                      {atol: 1e-4, rtol: 1e-4}, `${where} dMask`);
        }

        arena.expectGuardsIntact(names);
        arena.free();
      }
    });

    it('does not grow the heap or leak over 1000 repeated forward calls', () => {
      const random = rng(5);
      const [x, filter, offset, mask] = [[1, 8, 8, 8], [3, 3, 8, 8], [1, 8, 8, 18], [1, 8, 8, 9]]
          .map(shape => tf.randomUniform(shape, -1, 1, 'float32', Math.floor(random() * 1e6)));
      const forward = () => tf.dispose(modulatedDeformConv2d({x, filter, offset, mask, pad: 1}));
      for (let i = 0; i < 10; i++) forward();
      const heapBytes = heapMemory(backend).buffer.byteLength;
      const tensors = tf.memory().numTensors;
      const dataIds = backend.numDataIds();
      for (let i = 0; i < 1000; i++) forward();
      expect(heapMemory(backend).buffer.byteLength).withContext('heap bytes').toBe(heapBytes);
      expect(tf.memory().numTensors).withContext('tensors').toBe(tensors);
      expect(backend.numDataIds()).withContext('backend data').toBe(dataIds);
      tf.dispose([x, filter, offset, mask]);
    });
  });
