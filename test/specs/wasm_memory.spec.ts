/**
 * Our wasm module shares tfjs's heap, so a stray write corrupts tensors. The
 * passes are called directly on buffers with sentinel guards (their
 * parameter blocks among them: the passes read them and must not write
 * them), and the heap is compared before and after (all of it, or a 64 MB
 * window around the buffers once earlier specs have grown it); repeated calls
 * must not grow the heap.
 * Runs only when `wasm` is a backend under test.
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

import {
  dcnv3,
  deformPsRoiPool,
  involution,
  modulatedDeformConv2d,
  modulatedDeformRoiPool,
} from '../../src/index';
import type {ExplicitPad} from '../../src/kernel_names';
import {dcnv3Backward, dcnv3Forward} from '../../src/kernels/reference/dcnv3';
import {
  deformPsRoiPoolBackward,
  deformPsRoiPoolForward,
} from '../../src/kernels/reference/deform_ps_roi_pool';
import {
  deformRoiPoolBackward,
  deformRoiPoolForward,
} from '../../src/kernels/reference/deform_roi_pool';
import {
  deformCol2im,
  deformCoordGrad,
  deformIm2col,
} from '../../src/kernels/reference/deform_sampling';
import {
  involutionBackpropKernel,
  involutionBackpropX,
  involutionForward,
} from '../../src/kernels/reference/involution';
import {deformConvParams} from '../../src/kernels/wasm/deform_conv_sampling_wasm';
import {deformWasm, heapMemory, wasmHeap} from '../../src/kernels/wasm/deform_wasm_module';
import {
  ParamBlock,
  psRoiPoolParams,
  roiPoolParams,
  windowParams,
} from '../../src/kernels/wasm/wasm_params';
import {computeDCNv3Info, DCNv3Info} from '../../src/shape/dcnv3';
import {computeDeformConvInfo, DeformConvInfo} from '../../src/shape/deform_conv';
import {computeInvolutionInfo, InvolutionInfo} from '../../src/shape/involution';
import {computePSRoIPoolInfo, computeRoIPoolInfo} from '../../src/shape/roi_pool';
import {describeBackend} from '../util/backends';
import {expectClose} from '../util/expect';
import {rng} from '../util/random';

const GUARD_FLOATS = 16;
const SENTINEL = 0x7fbadbad; // a NaN bit pattern: no computed value has it
const POISON = [NaN, Infinity, -Infinity, 1e30, -1e30, 40, -40];

/** Float buffers laid out in one `_malloc`ed block, each between two guards. */
class GuardedArena {
  private readonly starts: number[] = [];
  private readonly base: number;
  private readonly totalFloats: number;

  constructor(
    private readonly backend: BackendWasm,
    readonly sizes: number[],
  ) {
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

  /** Writes a parameter block into `buffer` (as many floats as the block has words). */
  setParams(buffer: number, block: ParamBlock): void {
    expect(this.sizes[buffer]).toBe(block.words.length);
    new Int32Array(this.heap(), this.address(buffer), block.words.length).set(block.words);
  }

  expectGuardsIntact(names: string[]): void {
    const words = new Uint32Array(this.heap(), this.base, this.totalFloats);
    const guards = [0, ...this.starts.map((s, i) => s + this.sizes[i])];
    guards.forEach((start, i) => {
      const intact = words.subarray(start, start + GUARD_FLOATS).every(w => w === SENTINEL);
      expect(intact)
        .withContext(`guard after ${i === 0 ? 'start' : names[i - 1]}`)
        .toBeTrue();
    });
  }

  free(): void {
    wasmHeap(this.backend)._free(this.base);
  }
}

/**
 * Words of the heap compared around a pass: all of it while it is small;
 * once earlier specs have grown it (whole models), the window of this size
 * around the pass's buffers, so the spec stays fast (overruns right next to a
 * buffer are the guards' job anyway).
 */
const COMPARED_BYTES = 64 * 1024 * 1024;

/** Runs `pass` and checks that no word of the heap (see COMPARED_BYTES) changed outside the byte `ranges`. */
function expectWritesOnlyWithin(
  backend: BackendWasm,
  ranges: Array<[number, number]>,
  pass: () => void,
  what: string,
): void {
  const heap = heapMemory(backend).buffer as ArrayBuffer;
  const middle = (Math.min(...ranges.map(r => r[0])) + Math.max(...ranges.map(r => r[1]))) / 2;
  const from = Math.max(0, Math.min(heap.byteLength - COMPARED_BYTES, middle - COMPARED_BYTES / 2));
  const first = Math.floor(from / 4);
  const words = Math.floor(Math.min(heap.byteLength, COMPARED_BYTES) / 4);
  const before = new Uint32Array(heap, first * 4, words).slice();
  pass();
  const grown = heapMemory(backend).buffer as ArrayBuffer;
  expect(grown.byteLength).withContext(`${what}: heap size`).toBe(heap.byteLength);
  const after = new Uint32Array(grown, first * 4, words);
  const allowed = (word: number) =>
    ranges.some(([start, end]) => word * 4 >= start && word * 4 < end);
  let stray = -1;
  for (let w = 0; w < words && stray < 0; w++) {
    if (before[w] !== after[w] && !allowed(first + w)) {
      stray = first + w;
    }
  }
  expect(stray)
    .withContext(`${what}: byte ${stray * 4} written outside the output`)
    .toBe(-1);
}

function randomInfo(random: () => number): DeformConvInfo {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  for (;;) {
    const groups = int(1, 2);
    const offsetGroups = int(1, 3);
    const channels = groups * offsetGroups * int(1, 3);
    const info = computeDeformConvInfo(
      [int(1, 2), int(1, 6), int(1, 6), channels],
      [int(1, 3), int(1, 3), channels / groups, groups * int(1, 2)],
      {
        strides: [int(1, 2), int(1, 2)],
        dilations: [int(1, 2), int(1, 2)],
        pad: [
          [int(0, 2), int(0, 2)],
          [int(0, 2), int(0, 2)],
        ],
        groups,
        offsetGroups,
      },
    );
    if (info.outHeight >= 1 && info.outWidth >= 1) {
      return info;
    }
  }
}

/** A random window (sizes, kernel, strides, dilations, pads) with at least one output position. */
function randomWindow<Info extends {outHeight: number; outWidth: number}>(
  random: () => number,
  make: (
    xShape: number[],
    window: {
      kernelSize: [number, number];
      strides: [number, number];
      dilations: [number, number];
      pad: ExplicitPad;
    },
  ) => Info,
): Info {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  for (;;) {
    // Up to 6 channels per group: runs with and without a SIMD tail.
    const info = make([int(1, 2), int(1, 6), int(1, 6), int(1, 6)], {
      kernelSize: [int(1, 3), int(1, 3)],
      strides: [int(1, 2), int(1, 2)],
      dilations: [int(1, 2), int(1, 2)],
      pad: [
        [int(0, 2), int(0, 2)],
        [int(0, 2), int(0, 2)],
      ],
    });
    if (info.outHeight >= 1 && info.outWidth >= 1) {
      return info;
    }
  }
}

function randomDcnv3Info(random: () => number): DCNv3Info {
  return randomWindow(random, ([n, h, w, c], window) => {
    const groups = 1 + Math.floor(random() * 3);
    const [kh, kw] = window.kernelSize;
    return computeDCNv3Info([n, h, w, c * groups], {
      ...window,
      groups,
      offsetScale: [1, 0.5, 1.5][Math.floor(random() * 3)],
      removeCenter: kh % 2 === 1 && kw % 2 === 1 && kh * kw > 1 && random() < 0.5,
    });
  });
}

function randomInvolutionInfo(random: () => number): InvolutionInfo {
  return randomWindow(random, ([n, h, w, c], window) => {
    const groups = 1 + Math.floor(random() * 3);
    return computeInvolutionInfo([n, h, w, c * groups], {...window, groups});
  });
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
      const taps = info.offsetGroups * info.taps;
      const imageSize = info.batchSize * info.inHeight * info.inWidth * info.inChannels;
      const colsSize = rowCount * info.taps * info.inChannels;
      const block = deformConvParams(info);
      const names = [
        'x',
        'offset',
        'mask',
        'zeros',
        'cols',
        'dCols',
        'dx',
        'dOffset',
        'dMask',
        'params',
      ];
      const sizes = [
        imageSize,
        rows * 2 * taps,
        rows * taps,
        info.inChannels,
        colsSize,
        colsSize,
        imageSize,
        rowCount * 2 * taps,
        rowCount * taps,
        block.words.length,
      ];
      const arena = new GuardedArena(backend, sizes);
      const [x, offset, mask, zeros, cols, dCols, dx, dOffset, dMask, params] = names.map(
        (_, i) => i,
      );
      arena.setParams(params, block);
      const uniform = () => 2 * random() - 1;
      for (const b of [x, mask, dCols, dx]) arena.view(b).set(arena.view(b).map(uniform));
      arena
        .view(offset)
        .set(
          arena
            .view(offset)
            .map(() =>
              random() < 0.15 ? POISON[Math.floor(random() * POISON.length)] : 8 * random() - 4,
            ),
        );
      arena.view(zeros).fill(0);
      const within = (...buffers: number[]): Array<[number, number]> =>
        buffers.map(b => [arena.address(b), arena.address(b) + 4 * sizes[b]]);
      const where = `trial ${trial} ${JSON.stringify(info)} rows [${rowStart}, +${rowCount})`;
      const copy = (b: number) => arena.view(b).slice();

      // Half the trials without a mask (address 0): dMask must then stay untouched.
      const masked = random() < 0.5;
      const a = (b: number) => ((b === mask || b === dMask) && !masked ? 0 : arena.address(b));
      const maskValues = () => (masked ? copy(mask) : null);
      const expectedCols = new Float32Array(colsSize);
      deformIm2col(info, copy(x), copy(offset), maskValues(), rowStart, rowCount, expectedCols);
      expectWritesOnlyWithin(
        backend,
        within(cols),
        () =>
          module.im2col(
            a(params),
            a(x),
            a(offset),
            a(mask),
            a(cols),
            a(zeros),
            rowCount,
            rowStart,
            rowCount,
          ),
        `${where} im2col`,
      );
      expectClose(Array.from(arena.view(cols)), Array.from(expectedCols), {}, `${where} cols`);

      // A random channel range of dx (threads split col2im by channels): the others stay.
      const channelStart = Math.floor(random() * info.inChannels);
      const channelCount = 1 + Math.floor(random() * (info.inChannels - channelStart));
      const before = copy(dx);
      const everyChannel = copy(dx);
      deformCol2im(info, copy(dCols), copy(offset), maskValues(), rowStart, rowCount, everyChannel);
      const expectedDx = everyChannel.map((v, i) => {
        const c = i % info.inChannels;
        return c >= channelStart && c < channelStart + channelCount ? v : before[i];
      });
      expectWritesOnlyWithin(
        backend,
        within(dx),
        () =>
          module.col2im(
            a(params),
            a(dCols),
            a(offset),
            a(mask),
            a(dx),
            a(zeros),
            rowCount,
            channelStart,
            channelCount,
            rowStart,
            rowCount,
          ),
        `${where} col2im`,
      );
      expectClose(Array.from(arena.view(dx)), Array.from(expectedDx), {}, `${where} dx`);

      const expectedDOffset = new Float32Array(rowCount * 2 * taps);
      const expectedDMask = masked ? new Float32Array(rowCount * taps) : null;
      deformCoordGrad(
        info,
        copy(dCols),
        copy(x),
        copy(offset),
        maskValues(),
        rowStart,
        rowCount,
        expectedDOffset,
        expectedDMask,
      );
      // Half the trials fuse the columns and dx into the walk: they must equal
      // im2col's columns (to rounding: scale x sample rather than scaled
      // corner weights) and col2im's dx over every channel.
      const fused = random() < 0.5;
      const im2colCols = copy(cols);
      if (fused) {
        arena.view(cols).fill(NaN);
        arena.view(dx).set(before);
      }
      const coordOutputs = masked ? [dOffset, dMask] : [dOffset];
      expectWritesOnlyWithin(
        backend,
        within(...coordOutputs, ...(fused ? [cols, dx] : [])),
        () =>
          module.coordGrad(
            a(params),
            a(dCols),
            a(x),
            a(offset),
            a(mask),
            a(dOffset),
            a(dMask),
            fused ? a(cols) : 0,
            fused ? a(dx) : 0,
            a(zeros),
            rowCount,
            rowStart,
            rowCount,
          ),
        `${where} coordGrad${fused ? ' with columns and dx' : ''}`,
      );
      if (fused) {
        expectClose(
          Array.from(arena.view(cols)),
          Array.from(im2colCols),
          {atol: 1e-6, rtol: 1e-6},
          `${where} fused cols`,
        );
        expectClose(Array.from(arena.view(dx)), Array.from(everyChannel), {}, `${where} fused dx`);
      }
      expectClose(
        Array.from(arena.view(dOffset)),
        Array.from(expectedDOffset),
        {atol: 1e-4, rtol: 1e-4},
        `${where} dOffset`,
      );
      if (masked) {
        expectClose(
          Array.from(arena.view(dMask)),
          Array.from(expectedDMask!),
          {atol: 1e-4, rtol: 1e-4},
          `${where} dMask`,
        );
      }

      arena.expectGuardsIntact(names);
      arena.free();
    }
  });

  it('runs DCNv3 writing exactly its outputs, for random configurations and non-finite offsets', () => {
    const random = rng(98);
    const module = deformWasm(backend);
    for (let trial = 0; trial < 20; trial++) {
      const info = randomDcnv3Info(random);
      const positions = info.batchSize * info.outHeight * info.outWidth;
      const samples = positions * info.groups * info.points;
      const imageSize = info.batchSize * info.inHeight * info.inWidth * info.inChannels;
      const outSize = positions * info.inChannels;
      const block = windowParams(info, info.groups);
      const names = [
        'x',
        'offset',
        'mask',
        'zeros',
        'y',
        'dy',
        'dx',
        'dOffset',
        'dMask',
        'scratch',
        'params',
      ];
      const sizes = [
        imageSize,
        2 * samples,
        samples,
        info.inChannels,
        outSize,
        outSize,
        imageSize,
        2 * samples,
        samples,
        module.dcnv3ScratchBytes(info.points) / 4,
        block.words.length,
      ];
      const arena = new GuardedArena(backend, sizes);
      const [x, offset, mask, zeros, y, dy, dx, dOffset, dMask, scratch, params] = names.map(
        (_, i) => i,
      );
      arena.setParams(params, block);
      const uniform = () => 2 * random() - 1;
      for (const b of [x, mask, dy]) arena.view(b).set(arena.view(b).map(uniform));
      arena
        .view(offset)
        .set(
          arena
            .view(offset)
            .map(() =>
              random() < 0.15 ? POISON[Math.floor(random() * POISON.length)] : 8 * random() - 4,
            ),
        );
      arena.view(zeros).fill(0);
      arena.view(dx).fill(0); // the kernel zero-fills dx: the pass adds into it
      const within = (...buffers: number[]): Array<[number, number]> =>
        buffers.map(b => [arena.address(b), arena.address(b) + 4 * sizes[b]]);
      const where = `trial ${trial} ${JSON.stringify(info)}`;
      const copy = (b: number) => arena.view(b).slice();
      const a = (b: number) => arena.address(b);

      const expectedY = dcnv3Forward(info, copy(x), copy(offset), copy(mask));
      expectWritesOnlyWithin(
        backend,
        within(y, scratch),
        () =>
          module.dcnv3Forward(
            a(params),
            a(x),
            a(offset),
            a(mask),
            a(y),
            a(zeros),
            a(scratch),
            info.offsetScale,
            Number(info.removeCenter),
            0,
            positions,
          ),
        `${where} forward`,
      );
      expectClose(
        Array.from(arena.view(y)),
        Array.from(expectedY),
        {atol: 1e-5, rtol: 1e-5},
        `${where} y`,
      );

      const expected = dcnv3Backward(info, copy(x), copy(offset), copy(mask), copy(dy));
      expectWritesOnlyWithin(
        backend,
        within(dx, dOffset, dMask),
        () =>
          module.dcnv3Backward(
            a(params),
            a(x),
            a(offset),
            a(mask),
            a(dy),
            a(dx),
            a(dOffset),
            a(dMask),
            a(zeros),
            info.offsetScale,
            Number(info.removeCenter),
            0,
            info.groups,
            0,
            positions,
          ),
        `${where} backward`,
      );
      const tol = {atol: 1e-4, rtol: 1e-4};
      expectClose(Array.from(arena.view(dx)), Array.from(expected.dx), tol, `${where} dx`);
      expectClose(
        Array.from(arena.view(dOffset)),
        Array.from(expected.dOffset),
        tol,
        `${where} dOffset`,
      );
      expectClose(Array.from(arena.view(dMask)), Array.from(expected.dMask), tol, `${where} dMask`);

      arena.expectGuardsIntact(names);
      arena.free();
    }
  });

  it('runs involution writing exactly its outputs, for random configurations', () => {
    const random = rng(97);
    const module = deformWasm(backend);
    for (let trial = 0; trial < 20; trial++) {
      const info = randomInvolutionInfo(random);
      const positions = info.batchSize * info.outHeight * info.outWidth;
      const imageSize = info.batchSize * info.inHeight * info.inWidth * info.inChannels;
      const outSize = positions * info.inChannels;
      const kernelFloats = positions * info.groups * info.taps;
      const block = windowParams(info, info.groups);
      const names = ['x', 'kernel', 'y', 'dy', 'dx', 'dKernel', 'params'];
      const sizes = [
        imageSize,
        kernelFloats,
        outSize,
        outSize,
        imageSize,
        kernelFloats,
        block.words.length,
      ];
      const arena = new GuardedArena(backend, sizes);
      const [x, kernel, y, dy, dx, dKernel, params] = names.map((_, i) => i);
      arena.setParams(params, block);
      for (const b of [x, kernel, dy]) arena.view(b).set(arena.view(b).map(() => 2 * random() - 1));
      const within = (b: number): Array<[number, number]> => [
        [arena.address(b), arena.address(b) + 4 * sizes[b]],
      ];
      const where = `trial ${trial} ${JSON.stringify(info)}`;
      const copy = (b: number) => arena.view(b).slice();
      const a = (b: number) => arena.address(b);
      const tol = {atol: 1e-5, rtol: 1e-5};
      const pixels = info.batchSize * info.inHeight * info.inWidth;

      expectWritesOnlyWithin(
        backend,
        within(y),
        () => module.involutionForward(a(params), a(x), a(kernel), a(y), 0, positions),
        `${where} forward`,
      );
      expectClose(
        Array.from(arena.view(y)),
        Array.from(involutionForward(info, copy(x), copy(kernel))),
        tol,
        `${where} y`,
      );
      expectWritesOnlyWithin(
        backend,
        within(dx),
        () => module.involutionBackpropInput(a(params), a(kernel), a(dy), a(dx), 0, pixels),
        `${where} backprop input`,
      );
      expectClose(
        Array.from(arena.view(dx)),
        Array.from(involutionBackpropX(info, copy(kernel), copy(dy))),
        tol,
        `${where} dx`,
      );
      expectWritesOnlyWithin(
        backend,
        within(dKernel),
        () => module.involutionBackpropKernel(a(params), a(x), a(dy), a(dKernel), 0, positions),
        `${where} backprop kernel`,
      );
      expectClose(
        Array.from(arena.view(dKernel)),
        Array.from(involutionBackpropKernel(info, copy(x), copy(dy))),
        tol,
        `${where} dKernel`,
      );

      arena.expectGuardsIntact(names);
      arena.free();
    }
  });

  it('runs the RoI poolings writing exactly their outputs, for random RoIs and non-finite offsets', () => {
    const random = rng(96);
    const module = deformWasm(backend);
    const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    const tol = {atol: 1e-4, rtol: 1e-4};
    for (let trial = 0; trial < 20; trial++) {
      const [n, h, w, roiCount] = [int(1, 2), int(1, 6), int(1, 6), int(1, 3)];
      const rois = Array.from({length: roiCount}, () => [
        int(0, n - 1),
        ...Array.from({length: 4}, () => (random() < 0.1 ? NaN : 10 * random() - 2)),
      ]).flat();
      const poisoned = (size: number) =>
        Array.from({length: size}, () =>
          random() < 0.15 ? POISON[Math.floor(random() * POISON.length)] : 4 * random() - 2,
        );
      const modulated = random() < 0.5;
      const roiInfo = computeRoIPoolInfo([n, h, w, int(1, 6)], [roiCount, 5], {
        outputSize: [int(1, 3), int(1, 3)],
        spatialScale: [1, 0.5][int(0, 1)],
        samplingRatio: int(0, 2),
        gamma: 0.1,
      });
      const {channels, pooledHeight, pooledWidth} = roiInfo;
      const bins = roiCount * pooledHeight * pooledWidth;
      const imageSize = n * h * w * channels;
      const block = roiPoolParams(roiInfo);
      const names = ['x', 'rois', 'offset', 'mask', 'y', 'dy', 'dx', 'dOffset', 'params'];
      const sizes = [
        imageSize,
        5 * roiCount,
        2 * bins,
        bins,
        bins * channels,
        bins * channels,
        imageSize,
        2 * bins,
        block.words.length,
      ];
      const arena = new GuardedArena(backend, sizes);
      const [x, roiBuffer, offset, mask, y, dy, dx, dOffset, params] = names.map((_, i) => i);
      arena.setParams(params, block);
      for (const b of [x, mask, dy]) arena.view(b).set(arena.view(b).map(() => 2 * random() - 1));
      arena.view(roiBuffer).set(rois);
      arena.view(offset).set(poisoned(2 * bins));
      arena.view(dx).fill(0); // the kernel zero-fills dx: the pass adds into it
      const within = (...buffers: number[]): Array<[number, number]> =>
        buffers.map(b => [arena.address(b), arena.address(b) + 4 * sizes[b]]);
      const copy = (b: number) => arena.view(b).slice();
      const a = (b: number) => arena.address(b);
      const where = `trial ${trial} ${JSON.stringify(roiInfo)} rois ${JSON.stringify(rois)}`;
      const args = [roiInfo.spatialScale, roiInfo.gamma, 0, roiCount] as const;
      const expectedY = deformRoiPoolForward(roiInfo, copy(x), copy(roiBuffer), copy(offset));
      if (modulated) {
        const m = copy(mask);
        expectedY.forEach((v, i) => (expectedY[i] = v * m[Math.floor(i / channels)]));
      }
      expectWritesOnlyWithin(
        backend,
        within(y),
        () =>
          module.deformRoiPoolForward(
            a(params),
            a(x),
            a(roiBuffer),
            a(offset),
            modulated ? a(mask) : 0,
            a(y),
            ...args,
          ),
        `${where} roi forward`,
      );
      expectClose(Array.from(arena.view(y)), Array.from(expectedY), tol, `${where} y`);
      const expected = deformRoiPoolBackward(
        roiInfo,
        copy(x),
        copy(roiBuffer),
        copy(offset),
        copy(dy),
      );
      expectWritesOnlyWithin(
        backend,
        within(dOffset),
        () =>
          module.deformRoiPoolBackwardOffset(
            a(params),
            a(x),
            a(roiBuffer),
            a(offset),
            a(dy),
            a(dOffset),
            ...args,
          ),
        `${where} roi backward (offset)`,
      );
      expectWritesOnlyWithin(
        backend,
        within(dx),
        () =>
          module.deformRoiPoolBackwardInput(
            a(params),
            a(x),
            a(roiBuffer),
            a(offset),
            a(dy),
            a(dx),
            roiInfo.spatialScale,
            roiInfo.gamma,
            0,
            channels,
            0,
            roiCount,
          ),
        `${where} roi backward (input)`,
      );
      expectClose(Array.from(arena.view(dx)), Array.from(expected.dx), tol, `${where} dx`);
      expectClose(
        Array.from(arena.view(dOffset)),
        Array.from(expected.dOffset),
        tol,
        `${where} dOffset`,
      );
      arena.expectGuardsIntact(names);
      arena.free();

      // Position-sensitive: the same image and RoIs, C = outputDim * groupSize².
      const [outputDim, groupSize] = [int(1, 3), int(1, 2)];
      const classes = [1, outputDim][int(0, 1)];
      const [partHeight, partWidth] = [int(1, 3), int(1, 3)];
      const psInfo = computePSRoIPoolInfo(
        [n, h, w, outputDim * groupSize * groupSize],
        [roiCount, 5],
        [roiCount, partHeight, partWidth, 2 * classes],
        {
          outputDim,
          groupSize,
          outputSize: [int(1, 3), int(1, 3)],
          partSize: [partHeight, partWidth],
          samplesPerPart: int(1, 3),
          spatialScale: [1, 0.5][int(0, 1)],
          transStd: 0.1,
        },
      );
      const psImage = n * h * w * psInfo.channels;
      const psOut = roiCount * psInfo.pooledHeight * psInfo.pooledWidth * outputDim;
      const psOffset = roiCount * partHeight * partWidth * 2 * classes;
      const psBlock = psRoiPoolParams(psInfo);
      const psNames = ['x', 'rois', 'offset', 'y', 'dy', 'dx', 'dOffset', 'params', 'entryGrads'];
      const psSizes = [
        psImage,
        5 * roiCount,
        psOffset,
        psOut,
        psOut,
        psImage,
        psOffset,
        psBlock.words.length,
        2 * psOut,
      ];
      const ps = new GuardedArena(backend, psSizes);
      ps.setParams(7, psBlock);
      for (const b of [0, 4]) ps.view(b).set(ps.view(b).map(() => 2 * random() - 1));
      ps.view(1).set(rois);
      ps.view(2).set(poisoned(psOffset));
      ps.view(5).fill(0); // the kernel zero-fills dx: the pass adds into it
      ps.view(6).set(poisoned(psOffset)); // the offset sum writes every cell
      ps.view(8).set(poisoned(2 * psOut)); // the walk writes every entry's part
      const psCopy = (b: number) => ps.view(b).slice();
      const psAt = (b: number) => ps.address(b);
      const psWithin = (...buffers: number[]): Array<[number, number]> =>
        buffers.map(b => [ps.address(b), ps.address(b) + 4 * psSizes[b]]);
      const psWhere = `trial ${trial} ${JSON.stringify(psInfo)} rois ${JSON.stringify(rois)}`;
      const psArgs = [psInfo.spatialScale, psInfo.transStd, 0, roiCount] as const;
      expectWritesOnlyWithin(
        backend,
        psWithin(3),
        () => module.deformPsRoiPoolForward(psAt(7), psAt(0), psAt(1), psAt(2), psAt(3), ...psArgs),
        `${psWhere} forward`,
      );
      expectClose(
        Array.from(ps.view(3)),
        Array.from(deformPsRoiPoolForward(psInfo, psCopy(0), psCopy(1), psCopy(2))),
        tol,
        `${psWhere} y`,
      );
      const psExpected = deformPsRoiPoolBackward(
        psInfo,
        psCopy(0),
        psCopy(1),
        psCopy(2),
        psCopy(4),
      );
      // In two parts by output channels, as two threads split it.
      const split = int(0, outputDim);
      for (const [first, count] of [
        [0, split],
        [split, outputDim - split],
      ]) {
        expectWritesOnlyWithin(
          backend,
          psWithin(5, 8),
          () =>
            module.deformPsRoiPoolBackward(
              psAt(7),
              psAt(0),
              psAt(1),
              psAt(2),
              psAt(4),
              psAt(5),
              psAt(8),
              psInfo.spatialScale,
              psInfo.transStd,
              first,
              count,
              0,
              roiCount,
            ),
          `${psWhere} backward, output channels ${first} + ${count}`,
        );
      }
      expectWritesOnlyWithin(
        backend,
        psWithin(6),
        () => module.deformPsRoiPoolOffsetSum(psAt(7), psAt(8), psAt(6), 0, roiCount),
        `${psWhere} offset sum`,
      );
      expectClose(Array.from(ps.view(5)), Array.from(psExpected.dx), tol, `${psWhere} dx`);
      expectClose(
        Array.from(ps.view(6)),
        Array.from(psExpected.dOffset),
        tol,
        `${psWhere} dOffset`,
      );
      ps.expectGuardsIntact(psNames);
      ps.free();
    }
  });

  /** Runs `step` 10 times, then `times` more, checking the heap, tensors and backend data stay put. */
  function expectSteadyState(step: () => void, times: number): void {
    for (let i = 0; i < 10; i++) step();
    const heapBytes = heapMemory(backend).buffer.byteLength;
    const tensors = tf.memory().numTensors;
    const dataIds = backend.numDataIds();
    for (let i = 0; i < times; i++) step();
    expect(heapMemory(backend).buffer.byteLength).withContext('heap bytes').toBe(heapBytes);
    expect(tf.memory().numTensors).withContext('tensors').toBe(tensors);
    expect(backend.numDataIds()).withContext('backend data').toBe(dataIds);
  }

  it('does not grow the heap or leak over 1000 repeated forward calls', () => {
    const random = rng(5);
    const [x, filter, offset, mask] = [
      [1, 8, 8, 8],
      [3, 3, 8, 8],
      [1, 8, 8, 18],
      [1, 8, 8, 9],
    ].map(shape => tf.randomUniform(shape, -1, 1, 'float32', Math.floor(random() * 1e6)));
    expectSteadyState(
      () => tf.dispose(modulatedDeformConv2d({x, filter, offset, mask, pad: 1})),
      1000,
    );
    tf.dispose([x, filter, offset, mask]);
  });

  it('does not grow the heap or leak over repeated DCNv3, involution and RoI pooling gradients', () => {
    const random = rng(6);
    const [x, offset, mask, kernel, poolOffset] = [
      [1, 8, 8, 8],
      [1, 8, 8, 36],
      [1, 8, 8, 18],
      [1, 8, 8, 18],
      [2, 3, 3, 2],
    ].map(shape => tf.randomUniform(shape, -1, 1, 'float32', Math.floor(random() * 1e6)));
    const rois = tf.tensor2d([
      [0, 1, 1.5, 6, 5.5],
      [0, 0.5, 2, 7, 7],
    ]);
    const psOffset = tf.randomUniform([2, 2, 2, 2], -1, 1, 'float32', 7);
    const poolMask = tf.randomUniform([2, 3, 3, 1], 0, 1, 'float32', 8);
    const step = () =>
      tf.dispose(
        tf.grads((x, offset, mask, kernel, poolOffset, psOffset) =>
          tf.addN([
            tf.sum(dcnv3({x, offset, mask, kernelSize: 3, pad: 1, groups: 2})),
            tf.sum(involution({x, kernel, kernelSize: 3, groups: 2})),
            tf.sum(
              modulatedDeformRoiPool({x, rois, offset: poolOffset, mask: poolMask, outputSize: 3}),
            ),
            tf.sum(
              deformPsRoiPool({
                x,
                rois,
                offset: psOffset,
                outputDim: 2,
                groupSize: 2,
                outputSize: 2,
              }),
            ),
          ]),
        )([x, offset, mask, kernel, poolOffset, psOffset]),
      );
    expectSteadyState(step, 200);
    tf.dispose([x, offset, mask, kernel, poolOffset, rois, psOffset, poolMask]);
  });
});
