/** dcnv3 workloads: ours next to the stock-op composition (gather sampling). */
import * as tf from '@tensorflow/tfjs-core';

import {dcnv3} from '../src/index';
import configs from './configs.json';
import {stockDcnv3} from './stock_ops';
import {bothModes, notTimed, Row, STOCK_ON_CPU, timeCases, uniform} from './timing';

export async function benchDcnv3(note = ''): Promise<Row[]> {
  const rows: Row[] = [];
  for (const w of configs.dcnv3) {
    const out = (size: number) => Math.floor((size + 2 * w.p - w.d * (w.k - 1) - 1) / w.s) + 1;
    const [ho, wo] = [out(w.H), out(w.W)];
    const points = w.groups * w.k * w.k;
    const x = uniform([w.N, w.H, w.W, w.C], -1, 1, 1);
    const offset = uniform([w.N, ho, wo, 2 * points], -2, 2, 2);
    const mask = uniform([w.N, ho, wo, points], 0, 1, 3);
    const attrs = {
      strides: w.s,
      pad: w.p,
      dilations: w.d,
      groups: w.groups,
      offsetScale: w.offsetScale,
    };
    const ours = (x: tf.Tensor, o: tf.Tensor, m: tf.Tensor) =>
      dcnv3({x, offset: o, mask: m, kernelSize: w.k, ...attrs});
    const stock = (x: tf.Tensor, o: tf.Tensor, m: tf.Tensor) =>
      stockDcnv3({
        x: x as tf.Tensor4D,
        offset: o as tf.Tensor4D,
        mask: m as tf.Tensor4D,
        k: w.k,
        stride: w.s,
        pad: w.p,
        dilation: w.d,
        groups: w.groups,
        offsetScale: w.offsetScale,
      });
    rows.push(
      ...(await timeCases(
        'dcnv3',
        w.name,
        bothModes('tfjs-deform', ours, [x, offset, mask]),
        note,
      )),
    );
    rows.push(
      ...(tf.getBackend() === 'cpu'
        ? notTimed('dcnv3', w.name, 'stock ops', STOCK_ON_CPU, note)
        : await timeCases('dcnv3', w.name, bothModes('stock ops', stock, [x, offset, mask]), note)),
    );
    tf.dispose([x, offset, mask]);
  }
  return rows;
}
