/**
 * tf.depthwiseConv2d's gradients on every backend under test
 * (tfjs-backend-wasm has no DepthwiseConv2dNativeBackpropFilter or
 * BackpropInput; this package provides them there): against the cpu
 * backend's, for channel multipliers, strides, 'same' / 'valid' / explicit
 * padding and batches.
 */
import * as tf from '@tensorflow/tfjs-core';

import {describeAllBackends} from '../util/backends';
import {expectClose} from '../util/expect';
import {rng, uniform} from '../util/random';

type Pad =
  'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const cases: Array<[number[], number[], [number, number], Pad]> = [
  [[2, 7, 6, 6], [3, 3, 6, 1], [1, 1], 'same'],
  [[1, 9, 8, 3], [3, 2, 3, 2], [2, 1], 'valid'],
  [
    [3, 6, 7, 5],
    [2, 3, 5, 3],
    [2, 2],
    [
      [0, 0],
      [1, 0],
      [0, 2],
      [0, 0],
    ],
  ],
  [[1, 5, 5, 9], [5, 5, 9, 1], [2, 2], 'same'],
];

describeAllBackends('tf.depthwiseConv2d gradients', () => {
  cases.forEach(([xShape, fShape, strides, pad], k) => {
    it(`match the cpu backend: x [${xShape}], filter [${fShape}], strides [${strides}], pad ${JSON.stringify(pad)}`, async () => {
      const random = rng(70 + k);
      const x = uniform(random, xShape) as tf.Tensor4D;
      const filter = uniform(random, fShape) as tf.Tensor4D;
      const grads = (x: tf.Tensor, f: tf.Tensor) =>
        tf.grads((x: tf.Tensor, f: tf.Tensor) =>
          tf.sum(tf.square(tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, strides, pad))),
        )([x, f]);
      const here = grads(x, filter).map(g => g.arraySync());
      const backend = tf.getBackend();
      await tf.setBackend('cpu');
      const reference = tf.tidy(() =>
        grads(tf.tensor(x.arraySync()), tf.tensor(filter.arraySync())).map(g => g.arraySync()),
      );
      await tf.setBackend(backend);
      expectClose(
        here[0] as number[][][][],
        reference[0] as number[][][][],
        {atol: 1e-4, rtol: 1e-4},
        'dx',
      );
      expectClose(
        here[1] as number[][][][],
        reference[1] as number[][][][],
        {atol: 1e-4, rtol: 1e-4},
        'dFilter',
      );
    });
  });
});
