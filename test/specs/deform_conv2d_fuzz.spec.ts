/**
 * Seeded random small configurations (sizes 1-6, groups, offset groups,
 * strides, dilations, every padding form, masks, biases, chunked column
 * buffers; offsets with NaN, ±Infinity, 1e30, integers and positions far
 * outside the image): the output and every gradient must agree with an
 * oracle that is not the backend under test. On wasm and webgl that is the
 * cpu backend, run in the same process; on cpu it is the reference sampling
 * loops called directly, with the GEMMs, groups and bias as plain loops
 * (test/util/deform_conv_by_loops.ts), against the kernels run with the
 * case's column budget or a budget of a single output position.
 */
import * as tf from '@tensorflow/tfjs-core';

import {COLUMN_BUFFER_BYTES, deformConv2d, modulatedDeformConv2d} from '../../src/index';
import type {PadArg} from '../../src/index';
import {computeDeformConvInfo, DeformConvInfo} from '../../src/shape/deform_conv';
import {resolveDeformConvAttrs} from '../../src/ops/deform_conv_args';
import {describeAgainstCpu, describeBackend, onCpu} from '../util/backends';
import {deformConvByLoops} from '../util/deform_conv_by_loops';
import {expectClose} from '../util/expect';
import {rng} from '../util/random';

const CASES = 200;
/** Fewer on the emulated-GPU backends, where every new shape compiles shaders. */
const GPU_CASES = 24;
const TOL = {atol: 1e-4, rtol: 1e-3};
const POISON = [NaN, Infinity, -Infinity, 1e30, -1e30, 1e6, -40, 40];

interface FuzzCase {
  x: Float32Array;
  xShape: [number, number, number, number];
  filter: Float32Array;
  filterShape: [number, number, number, number];
  offset: Float32Array;
  offsetShape: [number, number, number, number];
  mask: Float32Array | null;
  maskShape: [number, number, number, number];
  bias: Float32Array | null;
  /** Weights of the loss `sum(y * lossWeights)`, so `dy` varies. */
  lossWeights: Float32Array;
  args: {
    strides: [number, number];
    dilations: [number, number];
    pad: PadArg;
    groups: number;
    offsetGroups: number;
  };
  /** Column budget in bytes; small ones split the work into chunks. */
  columnBytes: number;
  info: DeformConvInfo;
}

function makeCase(random: () => number): FuzzCase {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(values: T[]) => values[Math.floor(random() * values.length)];
  const fill = (size: number, value: () => number) => Float32Array.from({length: size}, value);
  for (;;) {
    const groups = pick([1, 1, 2, 3]);
    const offsetGroups = pick([1, 1, 2, 3]);
    const unit = groups === offsetGroups ? groups : groups * offsetGroups; // lcm of 1, 2, 3
    const channels = unit * int(1, Math.max(1, Math.floor(6 / unit)));
    const xShape: FuzzCase['xShape'] = [int(1, 2), int(1, 6), int(1, 6), channels];
    const kernel: [number, number] = [int(1, 3), int(1, 3)];
    const outChannels = groups * int(1, 2);
    const args = {
      strides: [int(1, 2), int(1, 2)] as [number, number],
      dilations: [int(1, 2), int(1, 2)] as [number, number],
      pad: pick<() => PadArg>([
        () => int(0, 2),
        () => 'same',
        () => 'valid',
        () => [
          [int(0, 2), int(0, 2)],
          [int(0, 2), int(0, 2)],
        ],
      ])(),
      groups,
      offsetGroups,
    };
    const filterShape: FuzzCase['filterShape'] = [...kernel, channels / groups, outChannels];
    const info = computeDeformConvInfo(
      xShape,
      filterShape,
      resolveDeformConvAttrs('fuzz', args, xShape[1], xShape[2], kernel),
    );
    if (info.outHeight < 1 || info.outWidth < 1) {
      continue;
    }
    const rows: [number, number, number] = [xShape[0], info.outHeight, info.outWidth];
    const taps = offsetGroups * info.taps;
    const rowCount = rows[0] * rows[1] * rows[2];
    const offsetValue = () => {
      const r = random();
      if (r < 0.08) return pick(POISON);
      if (r < 0.25) return int(-3, 3); // exact integers: mmcv's rule, the -1 edge
      return 8 * random() - 4;
    };
    return {
      x: fill(
        xShape.reduce((a, b) => a * b),
        () => 2 * random() - 1,
      ),
      xShape,
      filter: fill(
        filterShape.reduce((a, b) => a * b),
        () => 2 * random() - 1,
      ),
      filterShape,
      offset: fill(rowCount * 2 * taps, offsetValue),
      offsetShape: [...rows, 2 * taps],
      mask: random() < 0.5 ? fill(rowCount * taps, () => pick([0, 1, random()])) : null,
      maskShape: [...rows, taps],
      bias: random() < 0.5 ? fill(outChannels, () => 2 * random() - 1) : null,
      lossWeights: fill(rowCount * outChannels, () => 2 * random() - 1),
      args,
      columnBytes: random() < 0.3 ? 4 * info.taps * channels * int(1, 3) : 64 * 1024 * 1024,
      info,
    };
  }
}

/**
 * Output, then the gradients of x, filter, offset (and mask, bias when
 * present), as tensors the caller disposes. The column budget is set while
 * the kernels are dispatched, which is when they split their work.
 */
function compute(c: FuzzCase, columnBytes = c.columnBytes): tf.Tensor[] {
  const saved = tf.env().get(COLUMN_BUFFER_BYTES);
  tf.env().set(COLUMN_BUFFER_BYTES, columnBytes);
  try {
    return tf.tidy(() => {
      const inputs = [
        tf.tensor4d(c.x, c.xShape),
        tf.tensor4d(c.filter, c.filterShape),
        tf.tensor4d(c.offset, c.offsetShape),
        ...(c.mask ? [tf.tensor4d(c.mask, c.maskShape)] : []),
        ...(c.bias ? [tf.tensor1d(c.bias)] : []),
      ];
      const op = (...t: tf.Tensor[]) => {
        const [x, filter, offset] = t;
        const bias = c.bias ? t[t.length - 1] : undefined;
        return c.mask
          ? modulatedDeformConv2d({x, filter, offset, mask: t[3], bias, ...c.args})
          : deformConv2d({x, filter, offset, bias, ...c.args});
      };
      const y = op(...inputs);
      const weights = tf.tensor(c.lossWeights, y.shape);
      const grads = tf.grads((...t: tf.Tensor[]) => tf.sum(tf.mul(op(...t), weights)))(inputs);
      return [y, ...grads];
    });
  } finally {
    tf.env().set(COLUMN_BUFFER_BYTES, saved);
  }
}

/** {@link compute}'s results, read asynchronously (test/util/expect.ts says why). */
async function run(c: FuzzCase, columnBytes = c.columnBytes): Promise<Float32Array[]> {
  const tensors = compute(c, columnBytes);
  try {
    return (await Promise.all(tensors.map(t => t.data()))) as Float32Array[];
  } finally {
    tf.dispose(tensors);
  }
}

/**
 * {@link compute}'s results on the cpu backend, inside {@link onCpu}: read
 * synchronously (a cpu read is safe), before onCpu switches back.
 */
function runOnCpu(c: FuzzCase): Float32Array[] {
  const tensors = compute(c);
  try {
    return tensors.map(t => t.dataSync() as Float32Array);
  } finally {
    tf.dispose(tensors);
  }
}

/** The names of the results of {@link run} for case `c`. */
function resultNames(c: FuzzCase): string[] {
  return [
    'y',
    'dx',
    'dFilter',
    'dOffset',
    ...(c.mask ? ['dMask'] : []),
    ...(c.bias ? ['dBias'] : []),
  ];
}

async function expectAgree(
  actual: Float32Array[],
  expected: Float32Array[],
  c: FuzzCase,
  where: string,
) {
  const what = resultNames(c);
  expect(actual.length).withContext(`${where}: results`).toBe(what.length);
  expect(expected.length).withContext(`${where}: expected results`).toBe(what.length);
  for (const [k, a] of actual.entries()) {
    await expectClose(Array.from(a), Array.from(expected[k]), TOL, `${where} ${what[k]}`);
  }
}

const describeCase = (c: FuzzCase, i: number) =>
  `case ${i} (x ${c.xShape}, filter ${c.filterShape}, ${JSON.stringify(c.args)})`;

/** Lets the browser answer karma between cases (a long synchronous loop disconnects it). */
const yieldToBrowser = () => new Promise(resolve => setTimeout(resolve));

describeAgainstCpu('deformConv2d fuzz', () => {
  const random = rng(2024);
  const cases = Array.from({length: CASES}, () => makeCase(random));
  let count = 0;
  let expected: Float32Array[][] = [];

  beforeAll(async () => {
    count = tf.getBackend() === 'wasm' ? CASES : GPU_CASES;
    expected = await onCpu(() => cases.slice(0, count).map(c => runOnCpu(c)));
  });

  it('agrees with the cpu backend on random configurations, output and gradients', async () => {
    expect(expected.length).toBe(count);
    for (let i = 0; i < count; i++) {
      await expectAgree(await run(cases[i]), expected[i], cases[i], describeCase(cases[i], i));
      await yieldToBrowser();
    }
  });
});

describeBackend('cpu', 'deformConv2d fuzz against the reference loops', () => {
  const random = rng(2024);
  const cases = Array.from({length: CASES}, () => makeCase(random));

  it('agrees on random configurations, output and gradients, chunked or not', async () => {
    for (let i = 0; i < CASES; i++) {
      const c = cases[i];
      const expected = deformConvByLoops(c.info, {
        x: c.x,
        filter: c.filter,
        offset: c.offset,
        mask: c.mask,
        bias: c.bias,
        dy: c.lossWeights,
      });
      // Every other case with a budget below one output position: a chunk per position.
      const columnBytes = i % 2 === 1 ? 4 : c.columnBytes;
      await expectAgree(
        await run(c, columnBytes),
        expected,
        c,
        `${describeCase(c, i)}, budget ${columnBytes} B`,
      );
      await yieldToBrowser();
    }
  });
});
