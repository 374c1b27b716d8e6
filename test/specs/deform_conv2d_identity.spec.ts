/**
 * Identities with tfjs stock ops: zero offsets (and unit mask) give
 * tf.conv2d; integer offsets give a convolution of the translated input.
 * Also rank-3 inputs, tensor-like arguments and chunking invariance.
 */
import * as tf from '@tensorflow/tfjs-core';

import {COLUMN_BUFFER_BYTES, deformConv2d, modulatedDeformConv2d} from '../../src/index';
import type {PadArg} from '../../src/index';
import {describeAllBackends} from '../util/backends';
import {expectClose} from '../util/expect';
import {ortCases, runOrtCase} from '../util/ort_cases';
import {nonIntegerOffsets, rng, uniform} from '../util/random';

const TOL = {atol: 1e-4, rtol: 1e-4};

/** tf.conv2d with groups, by splitting channels (tfjs has no grouped conv2d). */
function groupedConv2d(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: [number, number],
  pad: 'same' | 'valid' | [[number, number], [number, number]],
  dilations: [number, number],
  groups: number,
): tf.Tensor4D {
  const tfPad =
    typeof pad === 'string'
      ? pad
      : ([[0, 0], pad[0], pad[1], [0, 0]] as [
          [number, number],
          [number, number],
          [number, number],
          [number, number],
        ]);
  const xs = tf.split(x, groups, 3) as tf.Tensor4D[];
  const fs = tf.split(filter, groups, 3) as tf.Tensor4D[];
  return tf.concat(
    xs.map((xg, g) => tf.conv2d(xg, fs[g], strides, tfPad, 'NHWC', dilations)),
    3,
  );
}

interface Config {
  name: string;
  x: number[];
  k: [number, number];
  cout: number;
  strides: [number, number];
  pad: 'same' | 'valid' | [[number, number], [number, number]];
  dilations: [number, number];
  groups: number;
  offsetGroups: number;
}

const configs: Config[] = [
  {
    name: '3x3 same',
    x: [2, 5, 6, 3],
    k: [3, 3],
    cout: 4,
    strides: [1, 1],
    pad: 'same',
    dilations: [1, 1],
    groups: 1,
    offsetGroups: 1,
  },
  {
    name: 'stride 2, asymmetric pad',
    x: [1, 7, 6, 2],
    k: [3, 3],
    cout: 3,
    strides: [2, 2],
    pad: [
      [1, 0],
      [0, 2],
    ],
    dilations: [1, 1],
    groups: 1,
    offsetGroups: 1,
  },
  {
    name: 'non-square kernel, stride [2,1]',
    x: [1, 6, 7, 2],
    k: [2, 3],
    cout: 2,
    strides: [2, 1],
    pad: [
      [1, 1],
      [0, 1],
    ],
    dilations: [1, 1],
    groups: 1,
    offsetGroups: 2,
  },
  {
    name: 'dilation 2, same',
    x: [1, 7, 7, 2],
    k: [3, 3],
    cout: 2,
    strides: [1, 1],
    pad: 'same',
    dilations: [2, 2],
    groups: 1,
    offsetGroups: 1,
  },
  {
    name: 'groups 2, offset groups 3',
    x: [2, 5, 5, 6],
    k: [3, 2],
    cout: 4,
    strides: [1, 1],
    pad: 'valid',
    dilations: [1, 1],
    groups: 2,
    offsetGroups: 3,
  },
  {
    name: 'stride 2, same (tfjs rule)',
    x: [1, 6, 5, 1],
    k: [3, 3],
    cout: 1,
    strides: [2, 2],
    pad: 'same',
    dilations: [1, 1],
    groups: 1,
    offsetGroups: 1,
  },
];

describeAllBackends('deformConv2d identities', () => {
  for (const c of configs) {
    it(`zero offsets equal conv2d: ${c.name}`, async () => {
      const random = rng(7);
      const x = uniform(random, c.x) as tf.Tensor4D;
      const filter = uniform(random, [...c.k, c.x[3] / c.groups, c.cout]) as tf.Tensor4D;
      const expected = groupedConv2d(x, filter, c.strides, c.pad, c.dilations, c.groups);
      const [n, ho, wo] = expected.shape;
      const taps = c.offsetGroups * c.k[0] * c.k[1];
      const args = {
        x,
        filter,
        strides: c.strides,
        pad: c.pad as PadArg,
        dilations: c.dilations,
        groups: c.groups,
        offsetGroups: c.offsetGroups,
      };
      const offset = tf.zeros([n, ho, wo, 2 * taps]);
      await expectClose(deformConv2d({...args, offset}), expected, TOL, 'DCNv1');
      await expectClose(
        modulatedDeformConv2d({...args, offset, mask: tf.ones([n, ho, wo, taps])}),
        expected,
        TOL,
        'DCNv2',
      );
      await expectClose(
        modulatedDeformConv2d({...args, offset, mask: tf.fill([n, ho, wo, taps], 0.5)}),
        tf.mul(expected, 0.5),
        TOL,
        'DCNv2, mask 0.5',
      );
    });
  }

  it('integer offsets (dy, dx) equal conv2d of the input moved by (dy, dx)', async () => {
    const random = rng(3);
    const x = uniform(random, [1, 6, 5, 2]) as tf.Tensor4D;
    const filter = uniform(random, [3, 3, 2, 3]) as tf.Tensor4D;
    const [dy, dx] = [2, -1];
    // Tap (i, j) of output (oh, ow) reads x at (oh - 1 + i + dy, ow - 1 + j + dx):
    // a valid conv2d over a window of x zero-padded by 3, moved by (dy, dx).
    const moved = tf.slice(
      tf.pad(x, [
        [0, 0],
        [3, 3],
        [3, 3],
        [0, 0],
      ]),
      [0, 2 + dy, 2 + dx, 0],
      [1, 6 + 2, 5 + 2, 2],
    );
    const expected = tf.conv2d(moved as tf.Tensor4D, filter, 1, 'valid');
    const offset = tf.tile(tf.tensor4d([dy, dx], [1, 1, 1, 2]), [1, 6, 5, 9]);
    await expectClose(deformConv2d({x, filter, offset, pad: 'same'}), expected, TOL);
  });

  it('offset channel 2k+1 moves tap k along x (docs/semantics.md example 1.B)', async () => {
    const x = tf.reshape(tf.range(0, 16), [1, 4, 4, 1]);
    const filter = tf.tensor4d([0, 0, 0, 0, 1, 0, 0, 0, 0], [3, 3, 1, 1]);
    const offset = tf.cast(tf.oneHot(tf.fill([1, 4, 4], 9, 'int32'), 18), 'float32');
    await expectClose(
      deformConv2d({x, filter, offset, pad: 1}),
      tf.tensor4d([1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11, 0, 13, 14, 15, 0], [1, 4, 4, 1]),
      {atol: 1e-6, rtol: 0},
    );
  });

  it('accepts rank-3 inputs and returns rank 3', async () => {
    const random = rng(5);
    const x = uniform(random, [5, 4, 2]);
    const filter = uniform(random, [3, 3, 2, 2]);
    const offset = uniform(random, [3, 2, 18], -1.5, 1.5);
    const mask = uniform(random, [3, 2, 9], 0, 1);
    const y = modulatedDeformConv2d({x, filter, offset, mask});
    expect(y.shape).toEqual([3, 2, 2]);
    const batched = modulatedDeformConv2d({
      x: tf.expandDims(x),
      filter,
      offset: tf.expandDims(offset),
      mask: tf.expandDims(mask),
    });
    await expectClose(y, tf.squeeze(batched, [0]), {atol: 0, rtol: 0});
  });

  it('accepts nested arrays as tensors', async () => {
    const y = deformConv2d({
      x: [
        [
          [[1], [2]],
          [[3], [4]],
        ],
      ],
      filter: [[[[1]]]],
      offset: [
        [
          [
            [0.5, 0.5],
            [0, 0],
          ],
          [
            [0, 0],
            [0, 0],
          ],
        ],
      ],
    });
    await expectClose(y, tf.tensor4d([2.5, 2, 3, 4], [1, 2, 2, 1]), {atol: 1e-6});
  });

  describe('with a column buffer of one output position', () => {
    let saved: number;
    beforeAll(() => {
      saved = tf.env().getNumber(COLUMN_BUFFER_BYTES);
      tf.env().set(COLUMN_BUFFER_BYTES, 4);
    });
    afterAll(() => tf.env().set(COLUMN_BUFFER_BYTES, saved));

    it('gives the same outputs on the onnxruntime cases', async () => {
      for (const c of ortCases.slice(0, 10)) {
        const [y, expected] = tf.tidy(() => [
          runOrtCase(c),
          tf.tensor(c.expected.data, c.expected.shape),
        ]);
        await expectClose(y, expected, {atol: 2e-5, rtol: 1e-4}, c.name);
        tf.dispose([y, expected]);
      }
    });

    it('gives the same gradients as one chunk', async () => {
      const random = rng(11);
      const x = uniform(random, [2, 5, 4, 4]);
      const filter = uniform(random, [3, 3, 2, 4]);
      const offset = nonIntegerOffsets(random, [2, 3, 2, 36]);
      const mask = uniform(random, [2, 3, 2, 18], 0, 1);
      const f = (x: tf.Tensor, filter: tf.Tensor, offset: tf.Tensor, mask: tf.Tensor) =>
        tf.sum(
          tf.square(modulatedDeformConv2d({x, filter, offset, mask, groups: 2, offsetGroups: 2})),
        );
      const chunked = tf.grads(f)([x, filter, offset, mask]);
      tf.env().set(COLUMN_BUFFER_BYTES, saved);
      const whole = tf.grads(f)([x, filter, offset, mask]);
      tf.env().set(COLUMN_BUFFER_BYTES, 4);
      for (const [i, g] of chunked.entries()) {
        await expectClose(g, whole[i], {atol: 1e-5, rtol: 1e-5}, `grad ${i}`);
      }
    });
  });
});
