/**
 * tfdeform.analysis receptive fields, saliency regions and RoI bins: fresh
 * deformable layers have the receptive field of the plain network with the
 * same weights (tf.grad through tfjs Conv2D layers); the saliency mask,
 * re-applied here, meets its bound and stops meeting it without its last
 * patch; zero-offset bins are RoIAlign's grid, and deformed bins average to
 * the op's output on a linear ramp; the layers' offsetsAndMask / kernels
 * reproduce their outputs. No leaks; errors name the function and argument.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import {analysis, dcnv3, involution, layers} from '../../src/index';
import {describeAllBackends, withoutTfjsKernelLeakCheck} from '../util/backends';
import {expectClose, expectNoLeaks} from '../util/expect';
import {rng, uniform} from '../util/random';

const TOL = {atol: 1e-5, rtol: 1e-4};

/** Two 3x3 layers (the second strided) and a 1x1 head, deformable or tfjs's own. */
function network(kind: 'dcn' | 'dcnv2' | 'plain', kernels?: tf.Tensor[]): tfl.Sequential {
  const model = tfl.sequential({name: kind});
  const conv = (args: Parameters<typeof tfl.layers.conv2d>[0]) =>
    kind === 'plain'
      ? tfl.layers.conv2d(args)
      : kind === 'dcn'
        ? layers.deformConv2d(args as never)
        : layers.modulatedDeformConv2d(args as never);
  model.add(
    conv({
      name: 'c1',
      inputShape: [9, 9, 2],
      filters: 3,
      kernelSize: 3,
      padding: 'same',
      activation: 'tanh',
    }),
  );
  model.add(conv({name: 'c2', filters: 2, kernelSize: 3, strides: 2, padding: 'same'}));
  model.add(tfl.layers.conv2d({name: 'head', filters: 2, kernelSize: 1, activation: 'tanh'}));
  if (kernels) {
    model
      .getLayer('c1')
      .setWeights([kernels[0], kernels[1], ...model.getLayer('c1').getWeights().slice(2)]);
    model
      .getLayer('c2')
      .setWeights([kernels[2], kernels[3], ...model.getLayer('c2').getWeights().slice(2)]);
  }
  return model;
}

const image = (shape: number[], seed = 1) => uniform(rng(seed), shape, 0, 1) as tf.Tensor4D;

describeAllBackends('analysis: effectiveReceptiveField, errorBoundedSaliency, binLocations', () => {
  withoutTfjsKernelLeakCheck();

  it("fresh deformable layers have the plain network's receptive field (tf.grad through Conv2D)", async () => {
    const random = rng(2);
    const weights = [
      uniform(random, [3, 3, 2, 3]),
      uniform(random, [3], -0.1, 0.1),
      uniform(random, [3, 3, 3, 2]),
      uniform(random, [2], -0.1, 0.1),
    ];
    const x = image([2, 9, 9, 2], 4);
    const unit = {layer: 'head', row: 2, col: 3, channel: 1};
    const plainGradient = async (model: tfl.Sequential) => {
      const g = tf.grad(v =>
        tf.sum(tf.slice(model.apply(v) as tf.Tensor4D, [1, 2, 3, 1], [1, 1, 1, 1])),
      )(x);
      const out = tf.reshape(tf.slice(g, [1, 0, 0, 0], [1, 9, 9, 2]), [9, 9, 2]);
      g.dispose();
      return out;
    };
    const dcn = network('dcn', weights);
    const plain = network('plain', weights);
    plain.getLayer('head').setWeights(dcn.getLayer('head').getWeights());
    const field = await analysis.effectiveReceptiveField(dcn, x, unit, {batchIndex: 1});
    await expectClose(field, await plainGradient(plain), TOL, 'DCNv1 against Conv2D');
    // DCNv2's fresh mask is 0.5: the plain network with half the kernels.
    const dcnv2 = network('dcnv2', weights);
    dcnv2.getLayer('head').setWeights(dcn.getLayer('head').getWeights());
    const halved = network('plain', [
      tf.mul(weights[0], 0.5),
      weights[1],
      tf.mul(weights[2], 0.5),
      weights[3],
    ]);
    halved.getLayer('head').setWeights(dcn.getLayer('head').getWeights());
    const field2 = await analysis.effectiveReceptiveField(dcnv2, x, unit, {batchIndex: 1});
    await expectClose(field2, await plainGradient(halved), TOL, 'DCNv2 against Conv2D');
    // The heatmap: |field| summed over channels, max 1.
    const map = analysis.heatmap(field);
    const expected = tf.tidy(() => {
      const s = tf.sum(tf.abs(field), -1);
      return tf.div(s, tf.max(s));
    });
    await expectClose(map, expected, TOL, 'heatmap');
    expect(map.shape).toEqual([9, 9]);
    tf.dispose([field, field2, map, expected, x, ...weights]);
  });

  it('works through residual additions, and for a pooled RoI bin', async () => {
    const input = tfl.input({shape: [8, 8, 2]});
    const rois = tfl.input({shape: [5]});
    const a = layers
      .modulatedDeformConv2d({filters: 2, kernelSize: 3, padding: 'same', activation: 'tanh'})
      .apply(input) as tfl.SymbolicTensor;
    const sum = tfl.layers.add().apply([a, input]) as tfl.SymbolicTensor;
    const pooled = layers
      .deformRoiPool({name: 'pool', outputSize: 2, samplingRatio: 2, deformFcChannels: 8})
      .apply([sum, rois]) as tfl.SymbolicTensor;
    const model = tfl.model({inputs: [input, rois], outputs: pooled});
    const x = image([2, 8, 8, 2], 5);
    const boxes = tf.tensor2d([
      [0, 1, 1, 6, 5],
      [1, 0.5, 2, 7, 7.5],
    ]);
    const unit = {layer: 'pool', roi: 1, binRow: 1, binCol: 0, channel: 0};
    const field = await analysis.effectiveReceptiveField(model, [x, boxes], unit);
    const g = tf.grad(v =>
      tf.sum(tf.slice(model.apply([v, boxes]) as tf.Tensor4D, [1, 1, 0, 0], [1, 1, 1, 1])),
    )(x);
    // RoI 1 is on image 1.
    await expectClose(field, tf.reshape(tf.slice(g, [1, 0, 0, 0], [1, 8, 8, 2]), [8, 8, 2]), TOL);
    const other = tf.slice(g, [0, 0, 0, 0], [1, 8, 8, 2]);
    expect((await tf.max(tf.abs(other)).data())[0]).toBe(0);
    tf.dispose([field, g, other, x, boxes]);
  });

  for (const baseline of ['zero', 'mean'] as const) {
    it(`the saliency mask meets its bound and is minimal at its granularity (${baseline} baseline)`, async () => {
      const model = network('dcnv2');
      // Seeded weights (deformed: the offset branches too), so the region is the same every run.
      const random = rng(8);
      model.setWeights(model.getWeights().map(t => uniform(random, t.shape, -0.5, 0.5)));
      const x = image([1, 9, 9, 2], 6);
      const unit = {layer: 'head', row: 2, col: 2, channel: 0};
      const errorBound = 0.05;
      const region = await analysis.errorBoundedSaliency(model, x, unit, {
        errorBound,
        baseline,
        granularity: 2,
        batchSize: 7,
      });
      expect(region.order.length).toBe(25);
      expect(region.area).toBe(region.mask.reduce((s, v) => s + v, 0));
      // Re-applied here: pixels outside the mask replaced by the baseline.
      const pixels = await x.data();
      const means = [0, 1].map(c => {
        let total = 0;
        for (let p = 0; p < 81; p++) total += pixels[p * 2 + c];
        return total / 81;
      });
      const respond = async (mask: Uint8Array) => {
        const masked = pixels.map((v, i) =>
          mask[Math.floor(i / 2)] ? v : baseline === 'mean' ? means[i % 2] : 0,
        );
        const out = tf.tidy(() =>
          tf.slice(
            model.predict(tf.tensor4d(masked, [1, 9, 9, 2])) as tf.Tensor4D,
            [0, 2, 2, 0],
            [1, 1, 1, 1],
          ),
        );
        const value = (await out.data())[0];
        out.dispose();
        return value;
      };
      const full = await respond(new Uint8Array(81).fill(1));
      expect(region.fullResponse).toBeCloseTo(full, 5);
      const kept = await respond(region.mask);
      expect(Math.abs(kept - full)).toBeLessThanOrEqual(errorBound * Math.abs(full) + 1e-6);
      expect(region.patches).toBeGreaterThan(0);
      expect(region.area).toBeLessThan(81);
      // Without its last patch (2x2 pixels, fewer at the border) the region breaks the bound.
      const last = region.order[region.patches - 1];
      const smaller = region.mask.map((v, p) => {
        const patch = Math.floor(Math.floor(p / 9) / 2) * 5 + Math.floor((p % 9) / 2);
        return patch === last ? 0 : v;
      });
      expect(Math.abs((await respond(smaller)) - full)).toBeGreaterThan(
        errorBound * Math.abs(full) - 1e-6,
      );
      x.dispose();
    });
  }

  it("zero-offset bins are RoIAlign's grid; deformed bins average to the op on a linear ramp", async () => {
    const plain = layers.deformRoiPool({
      outputSize: [2, 3],
      spatialScale: 0.5,
      offsetBranch: false,
    });
    const deformed = layers.deformRoiPool({
      outputSize: [2, 3],
      spatialScale: 0.5,
      modulated: true,
      deformFcChannels: 6,
    });
    // A ramp 0.3 y + 0.7 x + 1: bilinear sampling is exact on it inside the map.
    const ramp = tf.tidy(() => {
      const ys = tf.reshape(tf.range(0, 16), [1, 16, 1, 1]);
      const xs = tf.reshape(tf.range(0, 16), [1, 1, 16, 1]);
      return tf.add(tf.add(tf.mul(ys, 0.3), tf.mul(xs, 0.7)), 1) as tf.Tensor4D;
    });
    const boxes = tf.tensor2d([
      [0, 6, 8, 20, 22], // adaptive: 7x7 feature pixels → 4x3 sub-cells per bin
      [0, 9, 10, 13.5, 12],
    ]);
    plain.apply([ramp, boxes]);
    deformed.apply([ramp, boxes]);
    const w = deformed.getWeights();
    const random = rng(11);
    // Non-zero last layers: small offsets and masks that differ per bin.
    deformed.setWeights(w.map(t => uniform(random, t.shape, -0.1, 0.1)));
    const grid = await analysis.binLocations(plain, ramp, boxes);
    // torchvision roi_align (aligned): start x1·s − 0.5, bin (x2 − x1)·s / PW, sub-cell centres.
    const roiAlign = (x1: number, y1: number, x2: number, y2: number) => {
      const [sx, sy, bw, bh] = [
        x1 * 0.5 - 0.5,
        y1 * 0.5 - 0.5,
        ((x2 - x1) * 0.5) / 3,
        ((y2 - y1) * 0.5) / 2,
      ];
      const [gh, gw] = [Math.ceil(bh), Math.ceil(bw)];
      const out: number[] = [];
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 3; j++) {
          for (let iy = 0; iy < gh; iy++) {
            for (let ix = 0; ix < gw; ix++) {
              out.push(sy + i * bh + ((iy + 0.5) * bh) / gh, sx + j * bw + ((ix + 0.5) * bw) / gw);
            }
          }
        }
      }
      return {out, gh, gw};
    };
    for (const [r, box] of [
      [6, 8, 20, 22],
      [9, 10, 13.5, 12],
    ].entries()) {
      const expected = roiAlign(box[0], box[1], box[2], box[3]);
      expect([grid[r].gridHeight, grid[r].gridWidth]).toEqual([expected.gh, expected.gw]);
      await expectClose(grid[r].points, expected.out, {atol: 1e-5}, `RoI ${r} grid`);
      await expectClose(
        grid[r].imagePoints,
        grid[r].points.map(p => (p + 0.5) / 0.5),
        {atol: 1e-5},
      );
    }
    const moved = await analysis.binLocations(deformed, ramp, boxes);
    const pooled = deformed.apply([ramp, boxes]) as tf.Tensor4D;
    const values = await pooled.data();
    for (const [r, bins] of moved.entries()) {
      const samples = bins.gridHeight * bins.gridWidth;
      for (let b = 0; b < 6; b++) {
        let total = 0;
        for (let s = 0; s < samples; s++) {
          const q = 2 * (b * samples + s);
          total += 0.3 * bins.points[q] + 0.7 * bins.points[q + 1] + 1;
        }
        await expectClose(
          [values[r * 6 + b]],
          [(bins.weights[b] * total) / samples],
          {atol: 1e-4, rtol: 1e-4},
          `RoI ${r} bin ${b}`,
        );
      }
    }
    expect(new Set(moved[0].weights).size).toBe(6); // masks differ per bin
    const one = await analysis.binLocations(deformed, ramp, boxes, [1, 2]);
    await expectClose(one[0].points, moved[0].points.slice(5 * 24), {}, 'bin [1, 2]');
    tf.dispose([ramp, boxes, pooled]);
  });

  it("the layers' offsetsAndMask and kernels reproduce their outputs", async () => {
    const x = image([1, 6, 6, 16], 9);
    const random = rng(12);
    const v3 = layers.dcnv3({groups: 2});
    v3.apply(x);
    v3.setWeights(v3.getWeights().map(t => uniform(random, t.shape, -0.3, 0.3)));
    const {offset, mask} = v3.offsetsAndMask(x);
    await expectClose(v3.applyWithOffsets(x, offset, mask), v3.apply(x) as tf.Tensor, TOL, 'DCNv3');
    const projected = tf.add(
      tf.matMul(tf.reshape(x, [-1, 16]), v3.getWeights()[0]),
      v3.getWeights()[1],
    );
    const core = dcnv3({
      x: tf.reshape(projected, [1, 6, 6, 16]) as tf.Tensor4D,
      offset,
      mask,
      kernelSize: 3,
      pad: 1,
      groups: 2,
    });
    const out = tf.add(
      tf.matMul(tf.reshape(core, [-1, 16]), v3.getWeights()[10]),
      v3.getWeights()[11],
    );
    await expectClose(tf.reshape(out, [1, 6, 6, 16]), v3.apply(x) as tf.Tensor, TOL, 'DCNv3 core');
    const inv = layers.involution({kernelSize: 3, groupChannels: 8});
    inv.apply(x);
    const kernels = inv.kernels(x);
    expect(kernels.shape).toEqual([1, 6, 6, 2 * 9]);
    const byOp = involution({x, kernel: kernels, kernelSize: 3, groups: 2});
    await expectClose(byOp, inv.apply(x) as tf.Tensor, TOL, 'Involution');
    tf.dispose([x, offset, mask, projected, core, out, kernels, byOp]);
  });

  it('leaves no tensors behind', async () => {
    const model = network('dcnv2');
    const x = image([2, 9, 9, 2]);
    const unit = {layer: 'c2', row: 1, col: 1};
    (model.predict(x) as tf.Tensor).dispose(); // builds the model
    const roiLayer = layers.deformRoiPool({outputSize: 2, deformFcChannels: 4, modulated: true});
    const boxes = tf.tensor2d([[1, 1, 1, 6, 6]]);
    (roiLayer.apply([x, boxes]) as tf.Tensor).dispose();
    await expectNoLeaks(async () => {
      (await analysis.effectiveReceptiveField(model, x, unit)).dispose();
      await analysis.errorBoundedSaliency(model, x, unit, {granularity: 3});
      await analysis.binLocations(roiLayer, x, boxes);
      return [];
    });
    tf.dispose([x, boxes]);
  });

  it('rejects bad input naming the function and the argument', async () => {
    const model = network('dcn');
    const x = image([1, 9, 9, 2]);
    const unit = {layer: 'c2', row: 0, col: 0};
    const cases: [() => Promise<unknown>, RegExp][] = [
      [
        () => analysis.effectiveReceptiveField(model, x, {...unit, layer: 'c9'}),
        /effectiveReceptiveField: unit.layer 'c9' is not a layer of model 'dcn'/,
      ],
      [
        () => analysis.effectiveReceptiveField(model, x, {...unit, col: 5}),
        /effectiveReceptiveField: unit.col must be an integer in \[0, 5\)/,
      ],
      [
        () => analysis.effectiveReceptiveField(model, tf.zeros([9, 9, 2]), unit),
        /effectiveReceptiveField: input must be an image batch/,
      ],
      [
        () => analysis.errorBoundedSaliency(model, x, unit, {errorBound: -1}),
        /errorBoundedSaliency: options.errorBound/,
      ],
      [
        () => analysis.errorBoundedSaliency(model, x, unit, {granularity: 0}),
        /errorBoundedSaliency: options.granularity/,
      ],
      [
        () => analysis.errorBoundedSaliency(model, x, unit, {baseline: 'noise' as 'zero'}),
        /errorBoundedSaliency: options.baseline/,
      ],
      [
        () =>
          analysis.errorBoundedSaliency(model, x, {
            layer: 'c1',
            roi: 0,
            binRow: 0,
            binCol: 0,
          } as never),
        /errorBoundedSaliency: unit must be \{layer, row, col, channel\?\}/,
      ],
      [
        () =>
          analysis.binLocations(model.getLayer('c1') as never, x, tf.zeros([1, 5]) as tf.Tensor2D),
        /binLocations: layer must be a DeformRoIPool layer/,
      ],
      [
        () =>
          analysis.binLocations(
            layers.deformRoiPool({outputSize: 2}),
            x,
            tf.zeros([1, 5]) as tf.Tensor2D,
          ),
        /binLocations: layer .* is not built/,
      ],
    ];
    for (const [call, message] of cases) {
      await expectAsync(call()).toBeRejectedWithError(message);
    }
    x.dispose();
  });
});
