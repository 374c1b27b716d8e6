/**
 * tf.conv2d's filter gradient where this package provides the
 * Conv2DBackpropFilter kernel (tfjs-backend-wasm has none; on cpu and webgl
 * tfjs's own runs and is not tested here): against tfjs's cpu kernel, run on
 * the cpu backend in the same process, and against finite differences of
 * the forward conv2d, for strides, 'same' / 'valid' / explicit padding and
 * batches.
 */
import * as tf from '@tensorflow/tfjs-core';

import {describePackageKernels, isPackageKernel, onCpu} from '../util/backends';
import {expectClose} from '../util/expect';
import {checkGradients} from '../util/finite_diff';
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

describePackageKernels('tf.conv2d filter gradient', ['Conv2DBackpropFilter'], () => {
  it("has an oracle that is not this package's kernel: tfjs's own on cpu", () => {
    expect(isPackageKernel('Conv2DBackpropFilter', tf.getBackend())).toBe(true);
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).toBeDefined();
    expect(isPackageKernel('Conv2DBackpropFilter', 'cpu')).toBe(false);
  });

  cases.forEach(([xShape, fShape, strides, pad], k) => {
    const conv = (x: tf.Tensor, f: tf.Tensor) =>
      tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, strides, pad);
    const what = `x [${xShape}], filter [${fShape}], strides [${strides}], pad ${JSON.stringify(pad)}`;

    it(`matches tfjs's cpu kernel: ${what}`, async () => {
      const random = rng(50 + k);
      const x = uniform(random, xShape);
      const filter = uniform(random, fShape);
      const grad = (x: tf.Tensor, f: tf.Tensor) =>
        tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.sum(tf.square(conv(x, f))))([x, f])[1];
      const dFilter = grad(x, filter);
      const here = Array.from(await dFilter.data());
      const [xs, fs] = await Promise.all([x.data(), filter.data()]);
      const reference = await onCpu(() =>
        // On cpu, read before onCpu switches back: a synchronous cpu read is safe.
        tf.tidy(() => Array.from(grad(tf.tensor(xs, xShape), tf.tensor(fs, fShape)).dataSync())),
      );
      await expectClose(here, reference, {atol: 1e-4, rtol: 1e-4});
    });

    it(`matches finite differences: ${what}`, async () => {
      const random = rng(60 + k);
      const x = uniform(random, xShape);
      // The loss is linear in the filter: central differences are exact up to rounding.
      await checkGradients(f => conv(x, f), [uniform(random, fShape)], ['filter'], {
        step: 0.1,
        entries: 12,
        atol: 1e-3,
        rtol: 1e-3,
      });
    });
  });
});
