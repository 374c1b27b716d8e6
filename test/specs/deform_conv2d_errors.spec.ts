/** Bad arguments are rejected before any kernel runs, naming the op and the argument. */
import * as tf from '@tensorflow/tfjs-core';

import {deformConv2d, modulatedDeformConv2d} from '../../src/index';
import type {ModulatedDeformConv2dArgs} from '../../src/index';
import {describeAllBackends} from '../util/backends';

// x [1, 5, 5, 4], 3x3 kernel, pad 1 -> output 5x5; 2 offset groups.
function valid(): ModulatedDeformConv2dArgs {
  return {
    x: tf.zeros([1, 5, 5, 4]),
    filter: tf.zeros([3, 3, 2, 6]),
    offset: tf.zeros([1, 5, 5, 36]),
    mask: tf.zeros([1, 5, 5, 18]),
    bias: tf.zeros([6]),
    pad: 1,
    groups: 2,
    offsetGroups: 2,
  };
}

// Changes are thunks: no tensor may be made before the backend is chosen.
const cases: Array<[string, () => Partial<ModulatedDeformConv2dArgs>, RegExp]> = [
  [
    'x of rank 2',
    () => ({x: tf.zeros([5, 5])}),
    /^modulatedDeformConv2d: x must be of rank 3 or 4, got rank 2/,
  ],
  ['int32 x', () => ({x: tf.zeros([1, 5, 5, 4], 'int32')}), /x must be float32, got int32/],
  [
    'filter of rank 3',
    () => ({filter: tf.zeros([3, 3, 2])}),
    /filter must be of rank 4, got rank 3/,
  ],
  [
    'offset of rank 3 with x of rank 4',
    () => ({offset: tf.zeros([5, 5, 36])}),
    /offset must be of rank 4, got rank 3/,
  ],
  [
    'int32 mask',
    () => ({mask: tf.zeros([1, 5, 5, 18], 'int32')}),
    /mask must be float32, got int32/,
  ],
  ['bias of rank 2', () => ({bias: tf.zeros([1, 6])}), /bias must be of rank 1/],
  ['missing mask', () => ({mask: undefined}), /mask is required/],
  [
    'C not divisible by groups',
    () => ({groups: 3, filter: tf.zeros([3, 3, 1, 6])}),
    /x has 4 channels, which groups = 3 does not divide/,
  ],
  [
    'Cout not divisible by groups',
    () => ({filter: tf.zeros([3, 3, 2, 5])}),
    /filter has 5 output channels, which groups = 2 does not divide/,
  ],
  [
    'filter input channels',
    () => ({filter: tf.zeros([3, 3, 4, 6])}),
    /filter must have 2 input channels \(x's 4 channels \/ 2 groups\), got 4/,
  ],
  [
    'C not divisible by offsetGroups',
    () => ({offsetGroups: 3}),
    /x has 4 channels, which offsetGroups = 3 does not divide/,
  ],
  [
    'offset channels',
    () => ({offset: tf.zeros([1, 5, 5, 34])}),
    /offset must have 36 channels for 2 offset groups and a 3x3 kernel, got 34/,
  ],
  [
    'offset spatial size',
    () => ({offset: tf.zeros([1, 4, 5, 36])}),
    /offset must be 5x5 \(the output size\), got 4x5/,
  ],
  [
    'offset batch',
    () => ({offset: tf.zeros([2, 5, 5, 36])}),
    /offset must have batch size 1 like x, got 2/,
  ],
  [
    'mask channels',
    () => ({mask: tf.zeros([1, 5, 5, 9])}),
    /mask must have 18 channels for 2 offset groups and a 3x3 kernel, got 9/,
  ],
  [
    'mask spatial size',
    () => ({mask: tf.zeros([1, 5, 6, 18])}),
    /mask must be 5x5 \(the output size\), got 5x6/,
  ],
  ['bias size', () => ({bias: tf.zeros([5])}), /bias must have shape \[6\]/],
  [
    'zero stride',
    () => ({strides: 0}),
    /strides must be a positive integer or a pair of them, got 0/,
  ],
  [
    'negative dilation',
    () => ({dilations: [1, -1]}),
    /dilations must be a positive integer or a pair of them, got \[1,-1\]/,
  ],
  ['fractional stride', () => ({strides: 1.5}), /strides must be a positive integer/],
  [
    'negative pad',
    () => ({
      pad: [
        [1, -1],
        [1, 1],
      ],
    }),
    /pad must be non-negative integers/,
  ],
  ['unknown pad string', () => ({pad: 'full' as 'same'}), /pad must be a number, \[padH, padW\]/],
  ['zero groups', () => ({groups: 0}), /groups must be a positive integer, got 0/],
  [
    'output below 1',
    () => ({pad: 0, dilations: 3}),
    /the output would be -1x-1: the padded input \(5x5\) is smaller than the dilated kernel \(7x7\)/,
  ],
];

describeAllBackends('deformConv2d argument errors', () => {
  for (const [what, change, message] of cases) {
    it(`rejects ${what}`, () => {
      const args = {...valid(), ...change()};
      expect(() => modulatedDeformConv2d(args)).toThrowError(message);
    });
  }

  it('names deformConv2d in its own errors', () => {
    const {x, filter, pad, groups, offsetGroups} = valid();
    expect(() =>
      deformConv2d({x, filter, pad, groups, offsetGroups, offset: tf.zeros([1, 5, 5, 16])}),
    ).toThrowError(/^deformConv2d: offset must have 36 channels/);
  });

  it('rejects a call without an argument object', () => {
    expect(() => (deformConv2d as unknown as (a?: unknown) => unknown)()).toThrowError(
      /^deformConv2d: expects one object argument/,
    );
  });

  it('leaks nothing when it throws', () => {
    const args = valid();
    const before = tf.memory().numTensors;
    expect(() =>
      modulatedDeformConv2d({
        ...args,
        pad: [
          [1, 2],
          [1, 1],
        ],
      }),
    ).toThrow();
    expect(() => modulatedDeformConv2d({...args, x: [[[1]]] as unknown as tf.Tensor})).toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });
});
