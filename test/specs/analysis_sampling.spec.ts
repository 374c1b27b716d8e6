/**
 * tfdeform.analysis sampling locations: fresh deformable layers give the
 * regular dilated grid of the same plain stack; constant offsets move the
 * points by exactly the offsets (checking each layer's channel order); the
 * importances equal finite differences of the unit w.r.t. a moved sampling
 * location; bad input gets errors naming the function and the argument.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import {analysis, deformConv2d, layers} from '../../src/index';
import {describeAllBackends, withoutTfjsKernelLeakCheck} from '../util/backends';
import {expectClose, expectNoLeaks} from '../util/expect';
import {rng, uniform} from '../util/random';

/** [Conv2D 3x3 s2 'same', MaxPool 2 'valid', DeformConv2D 3x3 d2 'same', ModulatedDeformConv2D 3x3 s2 pad 1]. */
function stack(): tfl.Sequential {
  const model = tfl.sequential({name: 'stack'});
  model.add(
    tfl.layers.conv2d({
      name: 'plain',
      inputShape: [17, 15, 2],
      filters: 3,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
    }),
  );
  model.add(tfl.layers.maxPooling2d({name: 'pool', poolSize: 2}));
  model.add(tfl.layers.batchNormalization({name: 'norm'}));
  model.add(
    layers.deformConv2d({
      name: 'dcn1',
      filters: 4,
      kernelSize: 3,
      dilationRate: 2,
      padding: 'same',
      activation: 'relu',
    }),
  );
  model.add(
    layers.modulatedDeformConv2d({name: 'dcn2', filters: 2, kernelSize: 3, strides: 2, padding: 1}),
  );
  return model;
}

/** One layer's undeformed taps of a point, as the layer is documented: `y·s − padBefore + i·d`. */
function grid(
  points: number[][],
  [k, s, d, padY, padX]: [number, number, number, number, number],
): number[][] {
  return points.flatMap(([y, x]) => {
    const out: number[][] = [];
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        out.push([y * s - padY + i * d, x * s - padX + j * d]);
      }
    }
    return out;
  });
}

const image = (shape: number[], seed = 1) => uniform(rng(seed), shape, 0, 1) as tf.Tensor4D;

function setOffsetBias(layer: tfl.layers.Layer, values: (channel: number) => number): void {
  const weights = layer.getWeights();
  const at = layer.weights.findIndex(w => w.originalName.endsWith('/offset_bias'));
  weights[at] = tf.tensor1d(Array.from({length: weights[at].size}, (_, c) => values(c)));
  layer.setWeights(weights);
}

/** `(f(+eps) - f(-eps)) / 2 eps` for `f` of an offset delta that is `eps` at `[0, y, x, channel]` only. */
async function centralDifference(
  f: (delta: tf.Tensor4D) => tf.Tensor,
  shape: number[],
  [y, x, channel]: [number, number, number],
  eps: number,
): Promise<number> {
  const one = tf.buffer(shape);
  one.set(eps, 0, y, x, channel);
  const step = one.toTensor() as tf.Tensor4D;
  const [plus, minus] = [f(step), f(tf.neg(step) as tf.Tensor4D)];
  const value = ((await plus.data())[0] - (await minus.data())[0]) / (2 * eps);
  tf.dispose([step, plus, minus]);
  return value;
}

describeAllBackends('analysis: samplingLocations', () => {
  withoutTfjsKernelLeakCheck();

  it('fresh deformable layers give the regular dilated grid, through convolution and pooling', async () => {
    const model = stack();
    const x = image([2, 17, 15, 2]);
    const unit = {layer: 'dcn2', row: 1, col: 1};
    const result = await analysis.samplingLocations(model, x, unit, {batchIndex: 1});
    // dcn2 (s2, pad 1) then dcn1 ('same', d2: pad 2) on 4x4, the pool (2, s2), the conv (s2, 'same' on 17x15: pad 1, 1).
    let points = grid([[1, 1]], [3, 2, 1, 1, 1]);
    points = grid(points, [3, 1, 2, 2, 2]);
    points = grid(points, [2, 2, 1, 0, 0]);
    points = grid(points, [3, 2, 1, 1, 1]);
    expect(result.points.length).toBe(2 * 9 * 9 * 4 * 9);
    await expectClose(result.points, points.flat(), {atol: 1e-5}, 'points');
    // The modulated layer's fresh mask is sigmoid(0) = 0.5; DCNv1 has none.
    await expectClose(result.weights, new Float32Array(points.length).fill(0.5), {}, 'weights');
    // The unit's centre: (1·2 − 1 + 1) → (2 − 2 + 2) → (2·2 + 0.5) → (4.5·2 − 1 + 1).
    expect(result.centre).toEqual([9, 9]);
    x.dispose();
  });

  it('maps through ZeroPadding2D, DepthwiseConv2D, AveragePooling2D and Involution', async () => {
    const model = tfl.sequential();
    model.add(
      tfl.layers.zeroPadding2d({
        inputShape: [10, 9, 16],
        padding: [
          [2, 1],
          [1, 0],
        ],
      }),
    );
    model.add(tfl.layers.depthwiseConv2d({kernelSize: 3, dilationRate: 2, padding: 'valid'}));
    model.add(tfl.layers.averagePooling2d({poolSize: 2, strides: 2, padding: 'same'}));
    model.add(layers.involution({name: 'inv', kernelSize: 3, groupChannels: 8}));
    const x = image([1, 10, 9, 16]);
    const result = await analysis.samplingLocations(model, x, {layer: 'inv', row: 1, col: 2});
    // Involution: pad 1; the pool: 'same' on 9x6 → 5x3, odd padding at the end (before 0);
    // the depthwise conv: valid, d2; the padding: y − 2, x − 1.
    let points = grid([[1, 2]], [3, 1, 1, 1, 1]);
    points = grid(points, [2, 2, 1, 0, 0]);
    points = grid(points, [3, 1, 2, 0, 0]);
    points = grid(points, [1, 1, 1, 2, 1]);
    await expectClose(result.points, points.flat(), {atol: 1e-5}, 'points');
    x.dispose();
  });

  it('constant offsets move every point by them, in each layer’s channel order', async () => {
    const model = tfl.sequential();
    model.add(
      layers.deformConv2d({
        inputShape: [9, 9, 4],
        name: 'dcn1',
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        offsetGroups: 2,
      }),
    );
    model.add(layers.dcnv3({name: 'v3', groups: 2, offsetScale: 0.5}));
    model.add(
      layers.modulatedDeformConv2d({name: 'dcn2', filters: 3, kernelSize: 3, padding: 'same'}),
    );
    model.apply(tf.zeros([1, 9, 9, 4]));
    // dcn1, group 1: channel 2·(9 + t) is Δy of tap t, the next Δx (group 0 left at 0).
    setOffsetBias(model.getLayer('dcn1'), c =>
      c >= 18 ? ((c - 18) % 2 === 0 ? 0.1 : -0.05) * (Math.floor((c - 18) / 2) + 1) : 0,
    );
    // DCNv3, group 1: channel 2·(9 + p) is Δx of point p (column-major), the next Δy.
    setOffsetBias(model.getLayer('v3'), c => (c >= 18 ? (c % 2 === 0 ? 0.4 : 0.2) : 0));
    // dcn2: Δy = 0.25, Δx = 0.5 for every tap; mask logits log(3) → mask 0.75.
    setOffsetBias(model.getLayer('dcn2'), c => (c < 18 ? (c % 2 === 0 ? 0.25 : 0.5) : Math.log(3)));
    const x = image([1, 9, 9, 4]);
    const result = await analysis.samplingLocations(
      model,
      x,
      {layer: 'dcn2', row: 4, col: 3},
      {
        group: 1,
      },
    );
    const expected: number[][] = [];
    for (let t2 = 0; t2 < 9; t2++) {
      const [y2, x2] = [4 - 1 + Math.floor(t2 / 3) + 0.25, 3 - 1 + (t2 % 3) + 0.5];
      for (let p = 0; p < 9; p++) {
        // DCNv3 §2.3: centre + s·(grid − centre + Δ), points column-major (p = a·3 + b).
        const [b, a] = [p % 3, Math.floor(p / 3)];
        const [y3, x3] = [y2 - 1 + 1 + 0.5 * (b - 1 + 0.2), x2 - 1 + 1 + 0.5 * (a - 1 + 0.4)];
        for (let t1 = 0; t1 < 9; t1++) {
          const shift = 0.1 * (t1 + 1);
          expected.push([y3 - 1 + Math.floor(t1 / 3) + shift, x3 - 1 + (t1 % 3) - 0.5 * shift]);
        }
      }
    }
    await expectClose(result.points, expected.flat(), {atol: 2e-5}, 'points');
    // dcn2's mask 0.75 times the DCNv3 softmax over 9 equal logits.
    await expectClose(
      result.weights,
      new Float32Array(729).fill(0.75 / 9),
      {atol: 1e-6},
      'weights',
    );
    x.dispose();
    model.layers.forEach(l => l.dispose());
  });

  it('importance equals finite differences of the unit w.r.t. a moved sampling location', async () => {
    const random = rng(7);
    const model = tfl.sequential();
    model.add(
      layers.modulatedDeformConv2d({
        inputShape: [7, 7, 2],
        name: 'bottom',
        filters: 3,
        kernelSize: 3,
        padding: 'same',
        activation: 'tanh',
      }),
    );
    model.add(
      tfl.layers.conv2d({
        name: 'top',
        filters: 2,
        kernelSize: 3,
        padding: 'valid',
        activation: 'tanh',
      }),
    );
    model.apply(tf.zeros([1, 7, 7, 2]));
    const bottom = model.getLayer('bottom') as InstanceType<typeof layers.ModulatedDeformConv2D>;
    // Fractional offsets and masks that vary over the image.
    const w = bottom.getWeights();
    w[2] = uniform(random, w[2].shape, -0.3, 0.3);
    w[3] = uniform(random, w[3].shape, -0.6, 0.6);
    bottom.setWeights(w);
    const x = image([1, 7, 7, 2], 3);
    const unit = {layer: 'top', row: 2, col: 1, channel: 1};
    const result = await analysis.effectiveSamplingLocations(model, x, unit);
    expect(result.importanceLayer).toBe('bottom');
    expect(result.importance.length).toBe(81);
    const top = model.getLayer('top');
    const response = (delta: tf.Tensor4D) =>
      tf.tidy(() => {
        const {offset, mask} = bottom.offsetsAndMask(x);
        const y = bottom.applyWithOffsets(x, tf.add(offset, delta) as tf.Tensor4D, mask);
        const z = top.apply(y) as tf.Tensor4D;
        return tf.slice(z, [0, unit.row, unit.col, unit.channel], [1, 1, 1, 1]);
      });
    const eps = 1e-3;
    for (const point of [0, 13, 40, 58, 80]) {
      // The top conv's tap (i, j) reads the bottom unit (row + i, col + j); the bottom tap is t.
      const [topTap, t] = [Math.floor(point / 9), point % 9];
      const [uy, ux] = [unit.row + Math.floor(topTap / 3), unit.col + (topTap % 3)];
      const derivative = (channel: number) =>
        centralDifference(response, [1, 7, 7, 18], [uy, ux, channel], eps);
      const fd = Math.hypot(await derivative(2 * t), await derivative(2 * t + 1));
      await expectClose(
        [result.importance[point]],
        [fd],
        {atol: 2e-3, rtol: 2e-2},
        `point ${point}`,
      );
    }
    // Each point of the bottom layer's taps has its own importance: they differ.
    expect(new Set(result.importance).size).toBeGreaterThan(40);
    x.dispose();
  });

  it('DCNv3 importance equals finite differences (offsetScale scales the location)', async () => {
    const random = rng(9);
    const model = tfl.sequential();
    model.add(layers.dcnv3({inputShape: [6, 6, 4], name: 'v3', groups: 2, offsetScale: 2}));
    model.add(tfl.layers.conv2d({name: 'top', filters: 1, kernelSize: 3, activation: 'tanh'}));
    model.apply(tf.zeros([1, 6, 6, 4]));
    const v3 = model.getLayer('v3') as InstanceType<typeof layers.DCNv3>;
    v3.setWeights(v3.getWeights().map(t => uniform(random, t.shape, -0.4, 0.4)));
    const x = image([1, 6, 6, 4], 10);
    const unit = {layer: 'top', row: 1, col: 2};
    const result = await analysis.effectiveSamplingLocations(model, x, unit, {group: 1});
    expect(result.importanceLayer).toBe('v3');
    const top = model.getLayer('top');
    const response = (delta: tf.Tensor4D) =>
      tf.tidy(() => {
        const {offset, mask} = v3.offsetsAndMask(x);
        const y = v3.applyWithOffsets(x, tf.add(offset, delta) as tf.Tensor4D, mask);
        return tf.slice(top.apply(y) as tf.Tensor4D, [0, unit.row, unit.col, 0], [1, 1, 1, 1]);
      });
    const eps = 1e-3;
    for (const point of [3, 38, 77]) {
      // Top tap (i, j) reads v3's unit (row + i, col + j); DCNv3 point p of group 1.
      const [topTap, p] = [Math.floor(point / 9), point % 9];
      const [uy, ux] = [unit.row + Math.floor(topTap / 3), unit.col + (topTap % 3)];
      const derivative = (channel: number) =>
        centralDifference(response, [1, 6, 6, 36], [uy, ux, channel], eps);
      // Offsets (Δx, Δy) of group 1; a unit of offset moves the location by offsetScale = 2.
      const channel = 2 * (9 + p);
      const fd = Math.hypot(await derivative(channel), await derivative(channel + 1)) / 2;
      await expectClose(
        [result.importance[point]],
        [fd],
        {atol: 2e-3, rtol: 2e-2},
        `point ${point}`,
      );
    }
    x.dispose();
  });

  it('a plain CNN gets importances too (its Conv2D as a deformable convolution with zero offsets)', async () => {
    const model = tfl.sequential();
    model.add(
      tfl.layers.conv2d({
        inputShape: [6, 6, 1],
        name: 'c1',
        filters: 2,
        kernelSize: 3,
        padding: 'same',
      }),
    );
    model.add(tfl.layers.conv2d({name: 'c2', filters: 1, kernelSize: 3}));
    const x = image([1, 6, 6, 1], 5);
    const result = await analysis.effectiveSamplingLocations(model, x, {
      layer: 'c2',
      row: 1,
      col: 1,
    });
    expect(result.importanceLayer).toBe('c1');
    // Moving tap t of c1's unit (1 + i, 1 + j) moves one bilinear read: FD through the op.
    const [c1, c2] = [model.getLayer('c1'), model.getLayer('c2')];
    const [kernel, bias] = c1.getWeights();
    const unitOf = (offset: tf.Tensor4D) =>
      tf.tidy(() => {
        // Moving a tap of a plain convolution: a deformable convolution with that offset.
        const moved = deformConv2d({x, filter: kernel as tf.Tensor4D, offset, pad: 'same'});
        const y = tf.add(moved, bias) as tf.Tensor4D;
        return tf.slice(c2.apply(y) as tf.Tensor4D, [0, 1, 1, 0], [1, 1, 1, 1]);
      });
    const eps = 1e-3;
    const point = 4 * 9 + 7; // top tap (1, 1): c1 unit (2, 2); c1 tap 7
    // The tap sits on an integer position, a kink of the bilinear sampling: the
    // gradient there is the one-sided derivative towards larger y / x (docs/semantics.md §0.1).
    const derivative = async (channel: number) => {
      const one = tf.buffer([1, 6, 6, 18]);
      one.set(eps, 0, 2, 2, channel);
      const step = one.toTensor() as tf.Tensor4D;
      const [plus, at] = [unitOf(step), unitOf(tf.zerosLike(step))];
      const value = ((await plus.data())[0] - (await at.data())[0]) / eps;
      tf.dispose([step, plus, at]);
      return value;
    };
    const fd = Math.hypot(await derivative(14), await derivative(15));
    await expectClose([result.importance[point]], [fd], {atol: 2e-3, rtol: 2e-2}, 'importance');
    x.dispose();
  });

  it('leaves no tensors behind', async () => {
    const model = stack();
    const x = image([1, 17, 15, 2]);
    const unit = {layer: 'dcn2', row: 1, col: 0};
    await analysis.samplingLocations(model, x, unit); // builds the model
    await expectNoLeaks(async () => {
      await analysis.samplingLocations(model, x, unit);
      await analysis.effectiveSamplingLocations(model, x, unit);
      return [];
    });
    x.dispose();
  });

  it('rejects bad input naming the function and the argument', async () => {
    const model = stack();
    const x = image([1, 17, 15, 2]);
    const other = tfl.layers.conv2d({filters: 1, kernelSize: 1});
    const grouped = tfl.sequential({
      layers: [
        layers.deformConv2d({
          name: 'grouped',
          inputShape: [17, 15, 2],
          filters: 2,
          kernelSize: 3,
          offsetGroups: 2,
        }),
      ],
    });
    const cases: [() => Promise<unknown>, RegExp][] = [
      [
        () => analysis.samplingLocations(model, x, {layer: 'nope', row: 0, col: 0}),
        /samplingLocations: unit.layer 'nope' is not a layer of model/,
      ],
      [
        () => analysis.samplingLocations(model, x, {layer: other, row: 0, col: 0}),
        /samplingLocations: unit.layer .* is not a layer/,
      ],
      [
        () => analysis.samplingLocations(model, x, {layer: 'dcn2', row: 2, col: 0}),
        /samplingLocations: unit.row must be an integer in \[0, 2\)/,
      ],
      [
        () => analysis.samplingLocations(model, x, {layer: 'dcn2', row: 0, col: 0, channel: 2}),
        /samplingLocations: unit.channel/,
      ],
      [
        () =>
          analysis.effectiveSamplingLocations(model, tf.zeros([17, 15, 2]), {
            layer: 'dcn2',
            row: 0,
            col: 0,
          }),
        /effectiveSamplingLocations: input must be an image batch/,
      ],
      [
        () =>
          analysis.samplingLocations(model, x, {layer: 'dcn2', row: 0, col: 0}, {batchIndex: 1}),
        /samplingLocations: options.batchIndex/,
      ],
      [
        () =>
          analysis.samplingLocations(grouped, x, {layer: 'grouped', row: 0, col: 0}, {group: 2}),
        /samplingLocations: options.group must be an integer in \[0, 2\) for layer 'grouped'/,
      ],
      [
        () =>
          analysis.samplingLocations(model, x, {layer: 'dcn2', row: 0, col: 0}, {maxPoints: 100}),
        /samplingLocations: unit has 2916 sampling points/,
      ],
    ];
    for (const [call, message] of cases) {
      await expectAsync(call()).toBeRejectedWithError(message);
    }
    // A residual addition is not a chain.
    const input = tfl.input({shape: [6, 6, 1]});
    const a = tfl.layers.conv2d({filters: 1, kernelSize: 3, padding: 'same'}).apply(input);
    const sum = tfl.layers.add({name: 'residual'}).apply([a, input] as tfl.SymbolicTensor[]);
    const top = layers.deformConv2d({name: 'top', filters: 1, kernelSize: 3}).apply(sum);
    const residual = tfl.model({inputs: input, outputs: top as tfl.SymbolicTensor});
    await expectAsync(
      analysis.samplingLocations(residual, tf.zeros([1, 6, 6, 1]), {layer: 'top', row: 0, col: 0}),
    ).toBeRejectedWithError(
      /samplingLocations: unit.layer 'top' is reached through Add layer 'residual' with 2 inputs/,
    );
    x.dispose();
  });
});
