/**
 * involution workloads: ours next to tf.depthwiseConv2d of the same shape
 * (the same arithmetic with one kernel for all positions) and the stock-op
 * composition; plus the peak memory of one forward + backward of each.
 */
import * as tf from '@tensorflow/tfjs-core';

import {involution} from '../src/index';
import configs from './configs.json';
import {stockInvolution} from './stock_ops';
import {bothModes, Row, timeCases, uniform} from './timing';

export async function benchInvolution(note = ''): Promise<Row[]> {
  const rows: Row[] = [];
  for (const w of configs.involution) {
    const x = uniform([w.N, w.H, w.W, w.C], -1, 1, 1);
    const kernel = uniform([w.N, w.H, w.W, w.groups * w.k * w.k], -0.1, 0.1, 2);
    const depthwiseFilter = uniform([w.k, w.k, w.C, 1], -0.1, 0.1, 3);
    const ours = (x: tf.Tensor, k: tf.Tensor) =>
      involution({x, kernel: k, kernelSize: w.k, strides: w.s, dilations: w.d, groups: w.groups});
    const stock = (x: tf.Tensor, k: tf.Tensor) =>
      stockInvolution(x as tf.Tensor4D, k as tf.Tensor4D, w.k, w.groups);
    const depthwise = (x: tf.Tensor, f: tf.Tensor) =>
      tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, w.s, 'same');
    const cases = [
      ...bothModes('tfjs-deform', ours, [x, kernel]),
      ...bothModes('tf.depthwiseConv2d', depthwise, [x, depthwiseFilter]),
      ...bothModes('stock ops', stock, [x, kernel]),
    ];
    const timed = await timeCases('involution', w.name, cases, note);
    // Peak bytes of one forward + backward (tf.profile), beside each implementation's rows.
    for (const [impl, mode, run, done] of cases.filter(c => c[1] === 'forward+backward')) {
      const row = timed.find(r => r.impl === impl && r.mode === mode)!;
      if (row.ms != null) {
        const info = await tf.profile(() => run());
        row.note = `${note ? `${note}, ` : ''}peak ${(info.peakBytes / 2 ** 20).toFixed(1)} MiB`;
        tf.dispose(info.result);
        done?.();
      }
    }
    rows.push(...timed);
    tf.dispose([x, kernel, depthwiseFilter]);
  }
  return rows;
}
