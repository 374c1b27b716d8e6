/**
 * The benchmark cases, shared by the Node and the browser runners: for each
 * workload of configs.json on the active backend, our op (forward, and
 * forward + backward) next to the peers measured in the same process.
 */
import * as tf from '@tensorflow/tfjs-core';

import {deformConv2d, modulatedDeformConv2d} from '../src/index';
import configs from './configs.json';
import {stockDeformConv2d} from './stock_dcn';

export type DcnWorkload = (typeof configs.deformConv2d)[number];

export interface Row {
  op: string;
  workload: string;
  backend: string;
  impl: string;
  mode: 'forward'|'forward+backward';
  /** Median wall time per call in ms, or null when the implementation failed. */
  ms: number|null;
  runs: number;
  note?: string;
}

/** Something to time: returns the tensors to wait for (then disposed). */
type Run = () => tf.Tensor|tf.Tensor[];

/** Median of at least `minRuns` timed calls after warm-up, within a time budget. */
export async function median(
    run: () => Promise<void>, {minRuns = 5, maxRuns = 30, budgetMs = 4000} = {}):
    Promise<{ms: number, runs: number}> {
  // Warm-up (compiles shaders, grows heaps); a slow case gets fewer runs, and
  // one far over the budget is reported from its single (cold) run.
  const t = performance.now();
  await run();
  const cold = performance.now() - t;
  if (cold > 4 * budgetMs) {
    return {ms: cold, runs: 1};
  }
  if (cold > budgetMs / 8) {
    minRuns = 3;
  } else {
    await run();
  }
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns ||
         (times.length < maxRuns && performance.now() - start < budgetMs)) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return {ms: times[Math.floor(times.length / 2)], runs: times.length};
}

/** Times a tfjs computation, waiting for its results' data (so GPU work is included). */
async function timeTf(run: Run) {
  return median(async () => {
    const out = run();
    const list = Array.isArray(out) ? out : [out];
    await Promise.all(list.map(t => t.data()));
    tf.dispose(list);
  });
}

function uniform(shape: number[], lo: number, hi: number, seed: number): tf.Tensor {
  return tf.randomUniform(shape, lo, hi, 'float32', seed);
}

export interface DcnInputs {
  x: tf.Tensor4D;
  filter: tf.Tensor4D;
  offset: tf.Tensor4D;
  mask?: tf.Tensor4D;
}

export function outputSize(w: DcnWorkload): [number, number] {
  const out = (size: number) =>
      Math.floor((size + 2 * w.p - w.d * (w.k - 1) - 1) / w.s) + 1;
  return [out(w.H), out(w.W)];
}

/** Seeded inputs of a workload: offsets of up to ±2 pixels, masks in (0, 1). */
export function dcnInputs(w: DcnWorkload): DcnInputs {
  const [ho, wo] = outputSize(w);
  const taps = w.offsetGroups * w.k * w.k;
  return {
    x: uniform([w.N, w.H, w.W, w.C], -1, 1, 1) as tf.Tensor4D,
    filter: uniform([w.k, w.k, w.C / w.groups, w.Cout], -0.1, 0.1, 2) as tf.Tensor4D,
    offset: uniform([w.N, ho, wo, 2 * taps], -2, 2, 3) as tf.Tensor4D,
    mask: w.mask ? uniform([w.N, ho, wo, taps], 0, 1, 4) as tf.Tensor4D : undefined,
  };
}

function ours(w: DcnWorkload, {x, filter, offset, mask}: DcnInputs) {
  const attrs = {strides: w.s, pad: w.p, dilations: w.d, groups: w.groups, offsetGroups: w.offsetGroups};
  return (x: tf.Tensor, f: tf.Tensor, o: tf.Tensor, m?: tf.Tensor) => m ?
      modulatedDeformConv2d({x, filter: f, offset: o, mask: m, ...attrs}) :
      deformConv2d({x, filter: f, offset: o, ...attrs});
}

/** Rows for every deformConv2d workload on the active backend. */
export async function benchDeformConv2d(
    workloads: DcnWorkload[], note = ''): Promise<Row[]> {
  const backend = tf.getBackend();
  const rows: Row[] = [];
  for (const w of workloads) {
    const inputs = dcnInputs(w);
    const {x, filter, offset, mask} = inputs;
    const op = ours(w, inputs);
    const differentiable = mask ? [x, filter, offset, mask] : [x, filter, offset];
    const pad = [[0, 0], [w.p, w.p], [w.p, w.p], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]];
    const conv = (x: tf.Tensor, f: tf.Tensor) => tf.conv2d(
        x as tf.Tensor4D, f as tf.Tensor4D, w.s, w.groups === 1 ? pad : 'same', 'NHWC', w.d);
    const stock = (x: tf.Tensor, f: tf.Tensor, o: tf.Tensor, m?: tf.Tensor) => stockDeformConv2d({
      x: x as tf.Tensor4D, filter: f as tf.Tensor4D, offset: o as tf.Tensor4D, mask: m as tf.Tensor4D,
      stride: w.s, pad: w.p, dilation: w.d, offsetGroups: w.offsetGroups});
    const cases: Array<[string, Row['mode'], Run]> = [
      ['tfjs-deform', 'forward', () => op(x, filter, offset, mask)],
      ['tfjs-deform', 'forward+backward', () => tf.grads(
          (...a: tf.Tensor[]) => tf.sum(op(a[0], a[1], a[2], a[3])))(differentiable)],
      ['tf.conv2d', 'forward', () => conv(x, filter)],
      ['tf.conv2d', 'forward+backward', () => tf.grads(
          (a: tf.Tensor, b: tf.Tensor) => tf.sum(conv(a, b)))([x, filter])],
      ['stock ops', 'forward', () => stock(x, filter, offset, mask)],
      ['stock ops', 'forward+backward', () => tf.grads(
          (...a: tf.Tensor[]) => tf.sum(stock(a[0], a[1], a[2], a[3])))(differentiable)],
    ];
    for (const [impl, mode, run] of cases) {
      const row: Row = {op: 'deformConv2d', workload: w.name, backend, impl, mode, ms: null, runs: 0, note};
      try {
        Object.assign(row, await timeTf(run));
      } catch (e) {
        row.note = `fails: ${String((e as Error).message ?? e).split('\n')[0].slice(0, 100)}`;
      }
      rows.push(row);
    }
    tf.dispose([x, filter, offset, mask ?? []]);
  }
  return rows;
}
