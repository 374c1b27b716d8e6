/**
 * DCNv3 core: the hand-checkable examples of docs/semantics.md §2.6, identities
 * with stock ops (one-hot centre mask = the padded, strided input; a mask
 * constant over space = tf.depthwiseConv2d), finite differences of all three
 * gradients, non-finite offsets, errors and leaks.
 */
import * as tf from '@tensorflow/tfjs-core';

import {dcnv3, DCNv3, DCNv3BackpropInput} from '../../src/index';
import {describeAllBackends} from '../util/backends';
import {expectClose, expectNoLeaks} from '../util/expect';
import {checkGradients} from '../util/finite_diff';
import {nonIntegerOffsets, rng, uniform} from '../util/random';

const TOL = {atol: 1e-4, rtol: 1e-4};
const plane = () => tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
const base = {kernelSize: 3, pad: 1, groups: 1};

describeAllBackends(
  'dcnv3',
  () => {
    it('is a zero-padded box filter with zero offsets and mask 1/9 (example 2.A)', async () => {
      const y = dcnv3({
        ...base,
        x: plane(),
        offset: tf.zeros([1, 3, 3, 18]),
        mask: tf.fill([1, 3, 3, 9], 1 / 9),
      });
      await expectClose(
        y,
        [
          [1.3333, 2.3333, 1.7778],
          [3, 5, 3.6667],
          [2.6667, 4.3333, 3.1111],
        ],
        {atol: 1e-4},
      );
    });

    it('spreads the grid by offsetScale (example 2.B)', async () => {
      const y = dcnv3({
        ...base,
        x: plane(),
        offset: tf.zeros([1, 3, 3, 18]),
        mask: tf.fill([1, 3, 3, 9], 1 / 9),
        offsetScale: 2,
      });
      await expectClose(
        y,
        [
          [2.2222, 1.1111, 2.2222],
          [1.1111, 0.5556, 1.1111],
          [2.2222, 1.1111, 2.2222],
        ],
        {atol: 1e-4},
      );
    });

    it('orders points column-major and offsets (dx, dy) (example 2.C)', async () => {
      const offset = tf.tensor4d(
        Array.from({length: 9 * 18}, (_, i) => (i % 18 === 2 ? 0.5 : 0)),
        [1, 3, 3, 18],
      );
      const mask = tf.cast(tf.oneHot(tf.fill([1, 3, 3], 1, 'int32'), 9), 'float32');
      const gout = tf.tensor4d([0, 0, 0, 0, 1, 0, 0, 0, 0], [1, 3, 3, 1]);
      for (const [s, centre, dOff] of [
        [1, 4.5, [1, 3]],
        [2, 4, [2, 6]],
      ] as const) {
        const f = (x: tf.Tensor, o: tf.Tensor, m: tf.Tensor) =>
          dcnv3({...base, x, offset: o, mask: m, offsetScale: s});
        if (s === 1) {
          await expectClose(
            f(plane(), offset, mask),
            [
              [0.5, 1.5, 2.5],
              [2, 4.5, 5.5],
              [3.5, 7.5, 8.5],
            ],
            {atol: 1e-6},
          );
        } else {
          expect((await f(plane(), offset, mask).data())[4]).toBeCloseTo(centre, 5);
        }
        const [, dOffset, dMask] = tf.grads((x, o, m) => tf.sum(tf.mul(f(x, o, m), gout)))([
          plane(),
          offset,
          mask,
        ]);
        await expectClose(
          tf.slice(dOffset, [0, 1, 1, 2], [1, 1, 1, 2]),
          dOff as unknown as number[],
          {
            atol: 1e-5,
          },
        );
        if (s === 1) {
          await expectClose(
            tf.slice(dMask, [0, 1, 1, 0], [1, 1, 1, 9]),
            [1, 4.5, 7, 2, 5, 8, 3, 6, 9],
            {
              atol: 1e-5,
            },
          );
        }
      }
    });

    for (const [name, k, strides, pad, dilations, s] of [
      ['3x3, stride 2, pad 1', 3, 2, 1, 1, 1],
      [
        '5x3, dilation 2, offsetScale 1.5',
        [5, 3],
        1,
        [
          [4, 3],
          [2, 1],
        ],
        2,
        1.5,
      ],
    ] as const) {
      it(`returns the padded, strided input for a one-hot centre mask: ${name}`, async () => {
        const random = rng(4);
        const x = uniform(random, [2, 7, 6, 4]) as tf.Tensor4D;
        const [kh, kw] = typeof k === 'number' ? [k, k] : k;
        const [dh, dw] = [dilations, dilations];
        const [[top, bottom], [left, right]] =
          typeof pad === 'number'
            ? [
                [pad, pad],
                [pad, pad],
              ]
            : pad;
        const padded = tf.pad(x, [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ]);
        const ch = Math.floor((dh * (kh - 1)) / 2);
        const cw = Math.floor((dw * (kw - 1)) / 2);
        const ho = Math.floor((7 + top + bottom - dh * (kh - 1) - 1) / strides) + 1;
        const wo = Math.floor((6 + left + right - dw * (kw - 1) - 1) / strides) + 1;
        const expected = tf.stridedSlice(
          padded,
          [0, ch, cw, 0],
          [2, ch + (ho - 1) * strides + 1, cw + (wo - 1) * strides + 1, 4],
          [1, strides, strides, 1],
        );
        const points = kh * kw;
        const centre = Math.floor(kw / 2) * kh + Math.floor(kh / 2);
        const y = dcnv3({
          x,
          kernelSize: k as number,
          strides,
          pad: pad as number,
          dilations,
          groups: 2,
          offsetScale: s,
          offset: tf.zeros([2, ho, wo, 2 * 2 * points]),
          mask: tf.tile(
            tf.reshape(tf.cast(tf.oneHot(tf.tensor1d([centre], 'int32'), points), 'float32'), [
              1,
              1,
              1,
              points,
            ]),
            [2, ho, wo, 2],
          ),
        });
        await expectClose(y, expected, TOL);
      });
    }

    it('equals tf.depthwiseConv2d when offsets are 0 and the mask is constant over space', async () => {
      const random = rng(5);
      const [kh, kw, groups, channels] = [3, 2, 2, 6];
      const x = uniform(random, [2, 6, 7, channels]) as tf.Tensor4D;
      const weights = await uniform(random, [groups, kw * kh]).data(); // per group, column-major points
      const depthwise = tf.tensor4d(
        Array.from({length: kh * kw * channels}, (_, i) => {
          const c = i % channels;
          const a = Math.floor(i / channels) % kw;
          const b = Math.floor(i / (channels * kw));
          return weights[Math.floor(c / (channels / groups)) * kh * kw + a * kh + b];
        }),
        [kh, kw, channels, 1],
      );
      const expected = tf.depthwiseConv2d(x, depthwise, 2, [
        [0, 0],
        [1, 1],
        [0, 1],
        [0, 0],
      ]);
      const [, ho, wo] = expected.shape;
      const y = dcnv3({
        x,
        kernelSize: [kh, kw],
        strides: 2,
        pad: [
          [1, 1],
          [0, 1],
        ],
        groups,
        offset: tf.zeros([2, ho, wo, groups * kh * kw * 2]),
        mask: tf.tile(tf.tensor4d(weights, [1, 1, 1, groups * kh * kw]), [2, ho, wo, 1]),
      });
      await expectClose(y, expected, TOL);
    });

    // With offsetScale 1 or 0.5 the fractional parts of the sample positions stay
    // at least 0.1 away from integers for these offsets (random.ts), so the
    // finite differences never cross a pixel boundary.
    for (const s of [1, 0.5]) {
      it(`has gradients matching finite differences (offsetScale ${s})`, async () => {
        const random = rng(6);
        const x = uniform(random, [2, 5, 6, 4]);
        const offset = nonIntegerOffsets(random, [2, 3, 5, 2 * 2 * 6]);
        const mask = uniform(random, [2, 3, 5, 12], 0.2, 1);
        await checkGradients(
          (x, offset, mask) =>
            dcnv3({
              x,
              offset,
              mask,
              kernelSize: [3, 2],
              strides: [2, 1],
              pad: [
                [1, 1],
                [1, 0],
              ],
              dilations: [1, 2],
              groups: 2,
              offsetScale: s,
            }),
          [x, offset, mask],
          ['x', 'offset', 'mask'],
          {step: 0.02, entries: 8, seed: 3},
        );
      });
    }

    it('skips the centre point with removeCenter', async () => {
      const x = uniform(rng(7), [1, 4, 5, 2]) as tf.Tensor4D;
      // Column-major points without the centre: p4 is (row 2, column 1), one row below it.
      const y = dcnv3({
        x,
        kernelSize: 3,
        pad: 1,
        groups: 1,
        removeCenter: true,
        offset: tf.zeros([1, 4, 5, 16]),
        mask: tf.tile(
          tf.reshape(tf.cast(tf.oneHot(tf.tensor1d([4], 'int32'), 8), 'float32'), [1, 1, 1, 8]),
          [1, 4, 5, 1],
        ),
      });
      const below = tf.slice(
        tf.pad(x, [
          [0, 0],
          [0, 1],
          [0, 0],
          [0, 0],
        ]),
        [0, 1, 0, 0],
        [1, 4, 5, 2],
      );
      await expectClose(y, below, TOL);
    });

    it('gives non-finite or huge offsets zero samples and zero gradients', async () => {
      const random = rng(8);
      const x = uniform(random, [1, 4, 4, 2]);
      const offsets = Float32Array.from(await nonIntegerOffsets(random, [1, 4, 4, 18]).data());
      const mask = uniform(random, [1, 4, 4, 9], 0.5, 1);
      const bad = [NaN, Infinity, -Infinity, 1e30, -3e38];
      const poisoned = offsets.slice();
      const keep = Float32Array.from({length: 4 * 4 * 9}, () => 1);
      for (let tap = 0; tap < keep.length; tap += 4) {
        poisoned[2 * tap + (tap % 2)] = bad[tap % bad.length];
        keep[tap] = 0;
      }
      const run = (o: Float32Array, m: tf.Tensor) => {
        const f = (x: tf.Tensor, o: tf.Tensor, m: tf.Tensor) =>
          dcnv3({x, offset: o, mask: m, kernelSize: 3, pad: 1, groups: 1});
        const offset = tf.tensor4d(o, [1, 4, 4, 18]);
        return [f(x, offset, m), ...tf.grads((x, o, m) => tf.sum(f(x, o, m)))([x, offset, m])];
      };
      const [y, dx, dOffset] = run(poisoned, mask);
      const [yRef, dxRef] = run(offsets, tf.mul(mask, tf.tensor4d(keep, [1, 4, 4, 9])));
      await expectClose(y, yRef, TOL, 'output');
      await expectClose(dx, dxRef, TOL, 'dx');
      const d = await dOffset.data();
      for (let tap = 0; tap < keep.length; tap += 4) {
        expect([d[2 * tap], d[2 * tap + 1]])
          .withContext(`tap ${tap}`)
          .toEqual([0, 0]);
      }
    });

    it('rejects bad arguments naming dcnv3 and the argument', () => {
      const args = () => ({
        x: tf.zeros([1, 5, 5, 4]),
        offset: tf.zeros([1, 5, 5, 36]),
        mask: tf.zeros([1, 5, 5, 18]),
        kernelSize: 3,
        pad: 1,
        groups: 2,
      });
      expect(() => dcnv3({...args(), groups: 3})).toThrowError(
        /^dcnv3: x has 4 channels, which groups = 3 does not divide/,
      );
      expect(() => dcnv3({...args(), offset: tf.zeros([1, 5, 5, 18])})).toThrowError(
        /^dcnv3: offset must have 36 channels for 2 groups and 9 sampling points, got 18/,
      );
      expect(() => dcnv3({...args(), mask: tf.zeros([1, 4, 5, 18])})).toThrowError(
        /^dcnv3: mask must be 5x5 \(the output size\), got 4x5/,
      );
      expect(() => dcnv3({...args(), kernelSize: 2, removeCenter: true})).toThrowError(
        /^dcnv3: removeCenter needs an odd kernel/,
      );
      expect(() => dcnv3({...args(), offsetScale: NaN})).toThrowError(
        /^dcnv3: offsetScale must be a finite number/,
      );
      expect(() => dcnv3({...args(), x: tf.zeros([5, 5])})).toThrowError(
        /^dcnv3: x must be of rank 3 or 4/,
      );
      expect(() => dcnv3({...args(), kernelSize: undefined as unknown as number})).toThrowError(
        /^dcnv3: kernelSize is required/,
      );
    });

    it('leaves no tensors behind (op and gradients)', async () => {
      const random = rng(9);
      const x = uniform(random, [1, 4, 4, 4]);
      const offset = nonIntegerOffsets(random, [1, 4, 4, 36]);
      const mask = uniform(random, [1, 4, 4, 18], 0, 1);
      const f = (x: tf.Tensor, o: tf.Tensor, m: tf.Tensor) =>
        dcnv3({x, offset: o, mask: m, kernelSize: 3, pad: 1, groups: 2});
      await expectNoLeaks(() => f(x, offset, mask));
      await expectNoLeaks(() => tf.grads((x, o, m) => tf.sum(f(x, o, m)))([x, offset, mask]));
      await expectNoLeaks(() => tf.grads((o: tf.Tensor) => tf.sum(f(x, o, mask)))([offset]));
    });
  },
  [DCNv3, DCNv3BackpropInput],
);
