/**
 * Involution: docs/semantics.md §3.4 examples, the same computation composed from
 * stock tfjs ops (pad, strided slices, multiply, sum) on random
 * configurations, a kernel constant over space = tf.depthwiseConv2d, finite
 * differences of both gradients, errors and leaks.
 */
import * as tf from '@tensorflow/tfjs-core';

import {involution, Involution, InvolutionBackpropInput} from '../../src/index';
import {describeAllBackends} from '../util/backends';
import {expectClose, expectNoLeaks} from '../util/expect';
import {checkGradients} from '../util/finite_diff';
import {rng, uniform} from '../util/random';

const TOL = {atol: 1e-4, rtol: 1e-4};

interface Config {
  x: [number, number, number, number];
  k: [number, number];
  s: [number, number];
  d: [number, number];
  pad: [[number, number], [number, number]];
  groups: number;
}

/** The op from stock ops: every tap is a strided slice of the padded input times its kernel entry. */
function stockInvolution(x: tf.Tensor4D, kernel: tf.Tensor4D, c: Config): tf.Tensor {
  return tf.tidy(() => {
    const [n, , , channels] = x.shape;
    const [, ho, wo] = kernel.shape;
    const [kh, kw] = c.k;
    const padded = tf.pad(x, [[0, 0], c.pad[0], c.pad[1], [0, 0]]);
    const perGroup = tf.reshape(kernel, [n, ho, wo, c.groups, 1, kh * kw]);
    let sum: tf.Tensor = tf.zeros([n, ho, wo, c.groups, channels / c.groups]);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const begin = [0, i * c.d[0], j * c.d[1], 0];
        const end = [
          n,
          begin[1] + (ho - 1) * c.s[0] + 1,
          begin[2] + (wo - 1) * c.s[1] + 1,
          channels,
        ];
        const taps = tf.reshape(tf.stridedSlice(padded, begin, end, [1, c.s[0], c.s[1], 1]), [
          n,
          ho,
          wo,
          c.groups,
          channels / c.groups,
        ]);
        const weight = tf.squeeze(
          tf.slice(perGroup, [0, 0, 0, 0, 0, i * kw + j], [-1, -1, -1, -1, -1, 1]),
          [5],
        );
        sum = tf.add(sum, tf.mul(taps, weight));
      }
    }
    return tf.reshape(sum, [n, ho, wo, channels]);
  });
}

const configs: Config[] = [
  {
    x: [2, 7, 5, 8],
    k: [3, 3],
    s: [1, 1],
    d: [1, 1],
    pad: [
      [1, 1],
      [1, 1],
    ],
    groups: 2,
  },
  {
    x: [1, 9, 8, 6],
    k: [3, 3],
    s: [2, 2],
    d: [1, 1],
    pad: [
      [1, 1],
      [1, 1],
    ],
    groups: 3,
  },
  {
    x: [2, 8, 9, 4],
    k: [3, 3],
    s: [1, 1],
    d: [2, 2],
    pad: [
      [2, 2],
      [2, 2],
    ],
    groups: 1,
  },
  {
    x: [1, 7, 9, 4],
    k: [3, 5],
    s: [2, 1],
    d: [1, 2],
    pad: [
      [1, 0],
      [4, 3],
    ],
    groups: 4,
  },
  {
    x: [3, 5, 5, 2],
    k: [2, 3],
    s: [1, 2],
    d: [1, 1],
    pad: [
      [0, 1],
      [1, 1],
    ],
    groups: 2,
  },
  {
    x: [1, 11, 6, 4],
    k: [7, 1],
    s: [3, 1],
    d: [1, 1],
    pad: [
      [3, 3],
      [0, 0],
    ],
    groups: 2,
  },
];

function outSize(c: Config): [number, number] {
  const out = (size: number, axis: 0 | 1) =>
    Math.floor(
      (size + c.pad[axis][0] + c.pad[axis][1] - c.d[axis] * (c.k[axis] - 1) - 1) / c.s[axis],
    ) + 1;
  return [out(c.x[1], 0), out(c.x[2], 1)];
}

describeAllBackends(
  'involution',
  () => {
    it('reproduces the worked examples of docs/semantics.md §3.4', async () => {
      const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
      const kernel: number[] = Array.from({length: 81}, () => 0);
      kernel.fill(1, 0, 9); // output (0, 0): all ones
      kernel[4 * 9 + 2] = 1; // output (1, 1): tap (0, 2)
      await expectClose(
        involution({x, kernel: tf.tensor4d(kernel, [1, 3, 3, 9]), kernelSize: 3, groups: 1}),
        [12, 0, 0, 0, 3, 0, 0, 0, 0],
        {atol: 1e-6},
      );
      const centre: number[] = Array.from({length: 36}, (_, i) => (i % 9 === 4 ? 1 : 0));
      centre[3 * 9 + 8] = 10;
      const y = involution({
        x: tf.reshape(tf.range(0, 16), [1, 4, 4, 1]),
        kernel: tf.tensor4d(centre, [1, 2, 2, 9]),
        kernelSize: 3,
        strides: 2,
        groups: 1,
      });
      await expectClose(y, [0, 2, 8, 160], {atol: 1e-5});
    });

    configs.forEach((c, k) => {
      it(`equals the stock-op composition: ${JSON.stringify(c)}`, async () => {
        const random = rng(10 + k);
        const [ho, wo] = outSize(c);
        const x = uniform(random, c.x) as tf.Tensor4D;
        const kernel = uniform(random, [c.x[0], ho, wo, c.groups * c.k[0] * c.k[1]]) as tf.Tensor4D;
        const y = involution({
          x,
          kernel,
          kernelSize: c.k,
          strides: c.s,
          dilations: c.d,
          pad: c.pad,
          groups: c.groups,
        });
        await expectClose(y, stockInvolution(x, kernel, c), TOL);
      });
    });

    it('keeps the size at stride 1 by default and equals tf.depthwiseConv2d for a kernel constant over space', async () => {
      const random = rng(20);
      const [kh, kw, groups, channels] = [3, 5, 2, 6];
      const x = uniform(random, [2, 6, 7, channels]) as tf.Tensor4D;
      const weights = await uniform(random, [groups * kh * kw]).data();
      const depthwise = tf.tensor4d(
        Array.from({length: kh * kw * channels}, (_, i) => {
          const c = i % channels;
          const tap = Math.floor(i / channels);
          return weights[Math.floor(c / (channels / groups)) * kh * kw + tap];
        }),
        [kh, kw, channels, 1],
      );
      const y = involution({
        x,
        kernelSize: [kh, kw],
        groups,
        kernel: tf.tile(tf.tensor4d(weights, [1, 1, 1, groups * kh * kw]), [2, 6, 7, 1]),
      });
      expect(y.shape).toEqual([2, 6, 7, channels]);
      await expectClose(y, tf.depthwiseConv2d(x, depthwise, 1, 'same'), TOL);
    });

    it('has gradients matching finite differences', async () => {
      const random = rng(30);
      const c = configs[3];
      const [ho, wo] = outSize(c);
      await checkGradients(
        (x, kernel) =>
          involution({
            x,
            kernel,
            kernelSize: c.k,
            strides: c.s,
            dilations: c.d,
            pad: c.pad,
            groups: c.groups,
          }),
        [uniform(random, c.x), uniform(random, [c.x[0], ho, wo, c.groups * c.k[0] * c.k[1]])],
        ['x', 'kernel'],
        {entries: 10},
      );
    });

    it('rejects bad arguments naming involution and the argument', () => {
      const args = () => ({
        x: tf.zeros([1, 6, 6, 4]),
        kernel: tf.zeros([1, 3, 3, 18]),
        kernelSize: 3,
        strides: 2,
        groups: 2,
      });
      expect(() => involution(args())).not.toThrow();
      expect(() => involution({...args(), groups: 3})).toThrowError(
        /^involution: x has 4 channels, which groups = 3 does not divide/,
      );
      expect(() => involution({...args(), kernel: tf.zeros([1, 3, 3, 9])})).toThrowError(
        /^involution: kernel must have 18 channels for 2 groups and a 3x3 kernel, got 9/,
      );
      // RedNet's pooled kernel for H = 7, stride 2 would be 3x3, but the op's output is 4x4.
      expect(() => involution({...args(), x: tf.zeros([1, 7, 7, 4])})).toThrowError(
        /^involution: kernel must be 4x4 \(the output size\), got 3x3/,
      );
      expect(() => involution({...args(), kernel: tf.zeros([2, 3, 3, 18])})).toThrowError(
        /kernel must have batch size 1/,
      );
      expect(() => involution({...args(), kernel: tf.zeros([1, 3, 3, 18], 'int32')})).toThrowError(
        /kernel must be float32/,
      );
      expect(() => involution({...args(), strides: 0})).toThrowError(
        /^involution: strides must be a positive integer/,
      );
    });

    it('leaves no tensors behind (op and gradients)', async () => {
      const random = rng(40);
      const x = uniform(random, [1, 5, 5, 4]);
      const kernel = uniform(random, [1, 5, 5, 18]);
      const f = (x: tf.Tensor, k: tf.Tensor) =>
        involution({x, kernel: k, kernelSize: 3, groups: 2});
      await expectNoLeaks(() => f(x, kernel));
      await expectNoLeaks(() => tf.grads((x, k) => tf.sum(f(x, k)))([x, kernel]));
      await expectNoLeaks(() => tf.grads((k: tf.Tensor) => tf.sum(f(x, k)))([kernel]));
    });
  },
  [Involution, InvolutionBackpropInput],
);
