/**
 * Gradients: central finite differences at non-integer sample positions for
 * every differentiable input, training through tfjs optimizers, partial
 * gradient paths, and no leaks.
 */
import * as tf from '@tensorflow/tfjs-core';

import {deformConv2d, modulatedDeformConv2d} from '../../src/index';
import {DeformConv2DBackpropFilter, DeformConv2DBackpropInput} from '../../src/kernel_names';
import {describeAllBackends} from '../util/backends';
import {expectClose, expectNoLeaks} from '../util/expect';
import {checkGradients} from '../util/finite_diff';
import {nonIntegerOffsets, rng, uniform} from '../util/random';

const common = {
  strides: [2, 1] as [number, number],
  pad: [
    [1, 0],
    [2, 1],
  ] as [[number, number], [number, number]],
  dilations: [1, 2] as [number, number],
  groups: 2,
  offsetGroups: 2,
};
// x [2, 6, 5, 4], kernel 2x3 -> output [2, 3, 4, 4].
function inputs(seed: number) {
  const random = rng(seed);
  return {
    x: uniform(random, [2, 6, 5, 4]),
    filter: uniform(random, [2, 3, 2, 4]),
    offset: nonIntegerOffsets(random, [2, 3, 4, 24]),
    mask: uniform(random, [2, 3, 4, 12], 0.2, 1),
    bias: uniform(random, [4]),
  };
}

describeAllBackends('deformConv2d gradients', () => {
  it('match finite differences (DCNv1: x, filter, offset, bias)', async () => {
    const {x, filter, offset, bias} = inputs(1);
    await checkGradients(
      (x, filter, offset, bias) => deformConv2d({x, filter, offset, bias, ...common}),
      [x, filter, offset, bias],
      ['x', 'filter', 'offset', 'bias'],
    );
  });

  it('match finite differences (DCNv2: x, filter, offset, mask, bias)', async () => {
    const {x, filter, offset, mask, bias} = inputs(2);
    await checkGradients(
      (x, filter, offset, mask, bias) =>
        modulatedDeformConv2d({x, filter, offset, mask, bias, ...common}),
      [x, filter, offset, mask, bias],
      ['x', 'filter', 'offset', 'mask', 'bias'],
      {entries: 8, seed: 2},
    );
  });

  it('flow along partial paths (filter only, offset only)', async () => {
    const {x, filter, offset, mask} = inputs(3);
    const f = (filter: tf.Tensor, offset: tf.Tensor) =>
      tf.sum(modulatedDeformConv2d({x, filter, offset, mask, ...common}));
    const [dFilterOnly] = tf.grads((w: tf.Tensor) => f(w, offset))([filter]);
    const [dOffsetOnly] = tf.grads((o: tf.Tensor) => f(filter, o))([offset]);
    const [dFilter, dOffset] = tf.grads(f)([filter, offset]);
    expect(await dFilterOnly.array()).toEqual(await dFilter.array());
    expect(await dOffsetOnly.array()).toEqual(await dOffset.array());
  });

  it('train with tf.variableGrads and an optimizer', async () => {
    const {x, offset, mask} = inputs(4);
    const target = uniform(rng(9), [2, 3, 4, 4]);
    const filter = tf.variable(uniform(rng(8), [2, 3, 2, 4]));
    const off = tf.variable(offset);
    const optimizer = tf.train.sgd(0.05);
    const loss = () =>
      tf.mean(
        tf.squaredDifference(
          modulatedDeformConv2d({x, filter, offset: off, mask, ...common}),
          target,
        ),
      ) as tf.Scalar;
    const losses: number[] = [];
    for (let step = 0; step < 5; step++) {
      const l = optimizer.minimize(loss, true)!;
      losses.push((await l.data())[0]);
      l.dispose();
    }
    expect(losses[4]).toBeLessThan(losses[0]);
    const {value, grads} = tf.variableGrads(loss);
    expect(Object.keys(grads).sort()).toEqual([filter.name, off.name].sort());
    tf.dispose([value, grads, filter, off]);
    optimizer.dispose();
  });

  it('give the filter gradient from the columns the input gradient kept (wasm) as from sampling again', async () => {
    const {x, filter, offset, mask} = inputs(7);
    const dy = uniform(rng(8), [2, 3, 4, 4]);
    const sampled = {x, offset, mask};
    const outputs = tf
      .engine()
      .runKernel(
        DeformConv2DBackpropInput,
        {...sampled, filter, dy},
        {...common, keepColumns: true},
      ) as tf.Tensor[];
    // Only a backend that samples the columns in its input-gradient walk keeps them.
    expect(outputs.length).toBe(tf.getBackend() === 'wasm' ? 4 : 3);
    const columns = outputs[3];
    if (columns != null) {
      expect(columns.shape).toEqual([2, 24, 12]);
    }
    const filterGrad = (kept?: tf.Tensor) =>
      tf
        .engine()
        .runKernel(
          DeformConv2DBackpropFilter,
          {...sampled, dy, ...(kept == null ? {} : {columns: kept})},
          {...common, filterShape: filter.shape},
        ) as tf.Tensor;
    const [viaColumns, sampledAgain] = [filterGrad(columns), filterGrad()];
    await expectClose(viaColumns, sampledAgain, {atol: 1e-5, rtol: 1e-5}, 'dFilter');
    const wrong = tf.zeros([2, 24, 11]);
    expect(() => filterGrad(wrong)).toThrowError(
      /DeformConv2DBackpropFilter: columns must have shape \[2,24,12\], got \[2,24,11\]/,
    );
    tf.dispose([...outputs, viaColumns, sampledAgain, wrong]);
  });

  it('leave no tensors behind (op, gradients, partial gradients)', async () => {
    const {x, filter, offset, mask, bias} = inputs(5);
    await expectNoLeaks(() => modulatedDeformConv2d({x, filter, offset, mask, bias, ...common}));
    await expectNoLeaks(() => deformConv2d({x, filter, offset, ...common}));
    await expectNoLeaks(() =>
      tf.grads((x, filter, offset, mask, bias) =>
        tf.sum(modulatedDeformConv2d({x, filter, offset, mask, bias, ...common})),
      )([x, filter, offset, mask, bias]),
    );
    await expectNoLeaks(() =>
      tf.grads((w: tf.Tensor) => tf.sum(deformConv2d({x, filter: w, offset, ...common})))([filter]),
    );
    const [x3, offset3] = [
      tf.squeeze(tf.slice(x, 0, 1), [0]),
      tf.squeeze(tf.slice(offset, 0, 1), [0]),
    ];
    await expectNoLeaks(() =>
      tf.grads((x: tf.Tensor) => tf.sum(deformConv2d({x, filter, offset: offset3, ...common})))([
        x3,
      ]),
    );
  });
});
