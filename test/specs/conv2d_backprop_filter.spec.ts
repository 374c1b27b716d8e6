/**
 * tf.conv2d's filter gradient on every backend under test (tfjs-backend-wasm
 * has no Conv2DBackpropFilter; this package provides it there): against the
 * cpu backend's, for strides, 'same' / 'valid' / explicit padding and batches.
 */
import * as tf from '@tensorflow/tfjs-core';

import {describeAllBackends} from '../util/backends';
import {expectClose} from '../util/expect';
import {rng, uniform} from '../util/random';

type Pad =
  'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const cases: Array<[number[], number[], [number, number], Pad]> = [
  [[2, 7, 6, 3], [3, 3, 3, 4], [1, 1], 'same'],
  [[1, 9, 8, 2], [3, 2, 2, 5], [2, 1], 'valid'],
  [
    [3, 6, 7, 4],
    [2, 3, 4, 2],
    [2, 2],
    [
      [0, 0],
      [1, 0],
      [0, 2],
      [0, 0],
    ],
  ],
];

describeAllBackends('tf.conv2d filter gradient', () => {
  cases.forEach(([xShape, fShape, strides, pad], k) => {
    it(`matches the cpu backend: x [${xShape}], filter [${fShape}], strides [${strides}], pad ${JSON.stringify(pad)}`, async () => {
      const random = rng(50 + k);
      const x = uniform(random, xShape) as tf.Tensor4D;
      const filter = uniform(random, fShape) as tf.Tensor4D;
      const grad = (f: tf.Tensor) =>
        tf.grads((x: tf.Tensor, f: tf.Tensor) =>
          tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, strides, pad))),
        )([x, f])[1];
      const here = grad(filter).arraySync();
      const backend = tf.getBackend();
      await tf.setBackend('cpu');
      const reference = tf.tidy(() =>
        grad(tf.tensor(filter.arraySync() as number[][][][])).arraySync(),
      );
      await tf.setBackend(backend);
      expectClose(here as number[][][][], reference as number[][][][], {atol: 1e-4, rtol: 1e-4});
    });
  });
});
