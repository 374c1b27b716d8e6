/** deformConv2d workloads: ours next to tf.conv2d of the same shape and the stock-op composition. */
import * as tf from '@tensorflow/tfjs-core';

import {deformConv2d, modulatedDeformConv2d} from '../src/index';
import configs from './configs.json';
import {stockDeformConv2d} from './stock_ops';
import {bothModes, notTimed, Row, STOCK_ON_CPU, timeCases, uniform} from './timing';

export type DcnWorkload = (typeof configs.deformConv2d)[number];

export function dcnOutputSize(w: DcnWorkload): [number, number] {
  const out = (size: number) => Math.floor((size + 2 * w.p - w.d * (w.k - 1) - 1) / w.s) + 1;
  return [out(w.H), out(w.W)];
}

/** A workload's seeded inputs (`[x, filter, offset]`, then `mask` if it has one) and our op on them. */
export function dcnWorkload(w: DcnWorkload): {
  inputs: tf.Tensor[];
  ours: (x: tf.Tensor, f: tf.Tensor, o: tf.Tensor, m?: tf.Tensor) => tf.Tensor;
} {
  const [ho, wo] = dcnOutputSize(w);
  const taps = w.offsetGroups * w.k * w.k;
  const x = uniform([w.N, w.H, w.W, w.C], -1, 1, 1);
  const filter = uniform([w.k, w.k, w.C / w.groups, w.Cout], -0.1, 0.1, 2);
  const offset = uniform([w.N, ho, wo, 2 * taps], -2, 2, 3); // up to ±2 pixels
  const mask = w.mask ? uniform([w.N, ho, wo, taps], 0, 1, 4) : undefined;
  const attrs = {
    strides: w.s,
    pad: w.p,
    dilations: w.d,
    groups: w.groups,
    offsetGroups: w.offsetGroups,
  };
  return {
    inputs: mask ? [x, filter, offset, mask] : [x, filter, offset],
    ours: (x, f, o, m) =>
      m
        ? modulatedDeformConv2d({x, filter: f, offset: o, mask: m, ...attrs})
        : deformConv2d({x, filter: f, offset: o, ...attrs}),
  };
}

export async function benchDeformConv2d(note = ''): Promise<Row[]> {
  const rows: Row[] = [];
  // The stock composition runs after every workload's other cases: on webgl
  // its failing backward leaves the next call stalled for ~100 s.
  const stockRuns: Array<() => Promise<Row[]>> = [];
  const inputsToDispose: tf.Tensor[] = [];
  for (const w of configs.deformConv2d) {
    const {inputs, ours} = dcnWorkload(w);
    const [x, filter] = inputs;
    const stock = (x: tf.Tensor, f: tf.Tensor, o: tf.Tensor, m?: tf.Tensor) =>
      stockDeformConv2d({
        x: x as tf.Tensor4D,
        filter: f as tf.Tensor4D,
        offset: o as tf.Tensor4D,
        mask: m as tf.Tensor4D,
        stride: w.s,
        pad: w.p,
        dilation: w.d,
        offsetGroups: w.offsetGroups,
      });
    const conv = (x: tf.Tensor, f: tf.Tensor) =>
      tf.conv2d(
        x as tf.Tensor4D,
        f as tf.Tensor4D,
        w.s,
        [
          [0, 0],
          [w.p, w.p],
          [w.p, w.p],
          [0, 0],
        ],
        'NHWC',
        w.d,
      );
    rows.push(
      ...(await timeCases(
        'deformConv2d',
        w.name,
        [...bothModes('tfjs-deform', ours, inputs), ...bothModes('tf.conv2d', conv, [x, filter])],
        note,
      )),
    );
    stockRuns.push(
      tf.getBackend() === 'cpu'
        ? async () => notTimed('deformConv2d', w.name, 'stock ops', STOCK_ON_CPU, note)
        : () => timeCases('deformConv2d', w.name, bothModes('stock ops', stock, inputs), note),
    );
    inputsToDispose.push(...inputs);
  }
  for (const run of stockRuns) {
    rows.push(...(await run()));
  }
  tf.dispose(inputsToDispose);
  return rows;
}
