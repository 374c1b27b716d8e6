/**
 * tf.depthwiseConv2d's gradients where this package provides the
 * DepthwiseConv2dNativeBackpropFilter and BackpropInput kernels
 * (tfjs-backend-wasm has neither; on cpu and webgl tfjs's own run and are
 * not tested here): against tfjs's cpu kernels, run on the cpu backend in
 * the same process, and against finite differences of the forward
 * depthwiseConv2d, for channel multipliers, strides, 'same' / 'valid' /
 * explicit padding and batches.
 */
import * as tf from '@tensorflow/tfjs-core';

import {describePackageKernels, isPackageKernel, onCpu} from '../util/backends';
import {expectClose} from '../util/expect';
import {checkGradients} from '../util/finite_diff';
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

const KERNELS = ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'];

describePackageKernels('tf.depthwiseConv2d gradients', KERNELS, () => {
  it("have an oracle that is not this package's kernels: tfjs's own on cpu", () => {
    for (const kernel of KERNELS) {
      expect(isPackageKernel(kernel, tf.getBackend())).withContext(kernel).toBe(true);
      expect(tf.getKernel(kernel, 'cpu')).withContext(kernel).toBeDefined();
      expect(isPackageKernel(kernel, 'cpu')).withContext(kernel).toBe(false);
    }
  });

  cases.forEach(([xShape, fShape, strides, pad], k) => {
    const conv = (x: tf.Tensor, f: tf.Tensor) =>
      tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, strides, pad);
    const what = `x [${xShape}], filter [${fShape}], strides [${strides}], pad ${JSON.stringify(pad)}`;

    it(`match tfjs's cpu kernels: ${what}`, async () => {
      const random = rng(70 + k);
      const x = uniform(random, xShape);
      const filter = uniform(random, fShape);
      const grads = (x: tf.Tensor, f: tf.Tensor) =>
        tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.sum(tf.square(conv(x, f))))([x, f]);
      const here = (await Promise.all(grads(x, filter).map(g => g.data()))).map(v => Array.from(v));
      const [xs, fs] = await Promise.all([x.data(), filter.data()]);
      const reference = await onCpu(() =>
        // On cpu, read before onCpu switches back: a synchronous cpu read is safe.
        tf.tidy(() =>
          grads(tf.tensor(xs, xShape), tf.tensor(fs, fShape)).map(g => Array.from(g.dataSync())),
        ),
      );
      await expectClose(here[0], reference[0], {atol: 1e-4, rtol: 1e-4}, 'dx');
      await expectClose(here[1], reference[1], {atol: 1e-4, rtol: 1e-4}, 'dFilter');
    });

    it(`match finite differences: ${what}`, async () => {
      const random = rng(80 + k);
      // The loss is bilinear in (x, filter): central differences are exact up to rounding.
      await checkGradients(
        conv,
        [uniform(random, xShape), uniform(random, fShape)],
        ['x', 'filter'],
        {
          step: 0.1,
          entries: 12,
          atol: 1e-3,
          rtol: 1e-3,
        },
      );
    });
  });
});
