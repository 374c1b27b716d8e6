/**
 * The DeformConv2D / ModulatedDeformConv2D layers: fresh layers are plain
 * convolutions, PyTorch (mmcv DeformConv2dPack) weights reproduce mmcv's
 * numbers, symbolic shapes, parameter counts, training in tf.sequential,
 * save/load round trips, frozen layers and no leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import {layers} from '../../src/index';
import mmcvV1 from '../fixtures/golden/mmcv/deform_conv.json';
import {describeAllBackends, withoutTfjsKernelLeakCheck} from '../util/backends';
import {expectClose} from '../util/expect';
import {checkGradients} from '../util/finite_diff';
import {fromGolden, nchwToNhwc, oihwToHwio} from '../util/golden';
import {rng, uniform} from '../util/random';

const TOL = {atol: 1e-4, rtol: 1e-4};

function tinyModel(): tfl.Sequential {
  const model = tfl.sequential();
  model.add(
    layers.modulatedDeformConv2d({
      inputShape: [6, 6, 2],
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
    }),
  );
  model.add(
    layers.deformConv2d({
      filters: 3,
      kernelSize: [2, 3],
      strides: 2,
      offsetGroups: 2,
      kernelInitializer: 'heNormal',
    }),
  );
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({units: 1}));
  return model;
}

describeAllBackends('DeformConv2D / ModulatedDeformConv2D layers', () => {
  withoutTfjsKernelLeakCheck();

  it('start as plain convolutions (DCNv2: half of one)', async () => {
    const x = uniform(rng(1), [2, 5, 6, 3]) as tf.Tensor4D;
    for (const [factory, scale] of [
      [layers.deformConv2d, 1],
      [layers.modulatedDeformConv2d, 0.5],
    ] as const) {
      const layer = factory({filters: 4, kernelSize: 3, padding: 'same', biasInitializer: 'ones'});
      const y = layer.apply(x) as tf.Tensor;
      const [kernel, bias] = layer.getWeights();
      const conv = tf.conv2d(x, kernel as tf.Tensor4D, 1, 'same');
      await expectClose(y, tf.add(tf.mul(conv, scale), bias), TOL, layer.getClassName());
    }
  });

  it('reproduce mmcv DeformConv2dPack with its PyTorch weights', async () => {
    const c = mmcvV1.cases[0];
    const layer = layers.deformConv2d({filters: 1, kernelSize: 2, useBias: false});
    const x = nchwToNhwc(c.inputs.x);
    layer.apply(x); // builds
    layer.setWeights([
      oihwToHwio(c.params.weight),
      oihwToHwio(c.params.offset_conv_weight),
      fromGolden(c.params.offset_conv_bias),
    ]);
    await expectClose(layer.apply(x) as tf.Tensor, nchwToNhwc(c.expected_output), {
      atol: 1e-5,
      rtol: 1e-4,
    });
    const [dx] = tf.grads((x: tf.Tensor) => tf.sum(layer.apply(x) as tf.Tensor))([x]);
    await expectClose(dx, nchwToNhwc(c.expected_grads.x), {atol: 1e-5, rtol: 1e-4}, 'dx');
  });

  it('give symbolic output shapes with unknown batch and count PyTorch parameters', () => {
    const input = tfl.input({shape: [9, 7, 4]});
    const layer = layers.modulatedDeformConv2d({
      filters: 6,
      kernelSize: [3, 2],
      strides: [2, 1],
      groups: 2,
      offsetGroups: 2,
    });
    const out = layer.apply(input) as tfl.SymbolicTensor;
    expect(out.shape).toEqual([null, 4, 6, 6]);
    // weight 3*2*(4/2)*6 + bias 6 + conv_offset 3*2*4*(3*2*6) + its bias 3*2*6
    expect(layer.countParams()).toBe(72 + 6 + 864 + 36);
    expect(
      layers
        .deformConv2d({filters: 8, kernelSize: 3, padding: 'same'})
        .computeOutputShape([null, 5, 5, 2]),
    ).toEqual([null, 5, 5, 8]);
  });

  it('train in tf.sequential, save and load (memory; IndexedDB in the browser) with identical predictions, leak nothing', async () => {
    const model = tinyModel();
    model.compile({optimizer: tf.train.adam(0.01), loss: 'meanSquaredError'});
    const xs = uniform(rng(2), [8, 6, 6, 2]);
    const ys = uniform(rng(3), [8, 1]);
    const first = await model.fit(xs, ys, {epochs: 1, batchSize: 4, verbose: 0});
    // Counted after one epoch: the optimizer's slots now exist.
    const before = tf.memory().numTensors;
    const history = await model.fit(xs, ys, {epochs: 4, batchSize: 4, verbose: 0});
    const losses = [...first.history.loss, ...history.history.loss] as number[];
    expect(losses[4]).toBeLessThan(losses[0]);
    tf.dispose(model.predict(xs) as tf.Tensor);
    expect(tf.memory().numTensors).withContext('tensors left by fit/predict').toBe(before);

    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async artifacts => {
        saved = artifacts;
        return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
      }),
    );
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    await expectClose(loaded.predict(xs) as tf.Tensor, model.predict(xs) as tf.Tensor, {
      atol: 1e-6,
      rtol: 1e-6,
    });
    if (typeof indexedDB !== 'undefined') {
      // in the browser: the store users save models to
      await model.save('indexeddb://tfjs-deform-spec');
      const stored = await tfl.loadLayersModel('indexeddb://tfjs-deform-spec');
      await expectClose(stored.predict(xs) as tf.Tensor, model.predict(xs) as tf.Tensor, {
        atol: 1e-6,
        rtol: 1e-6,
      });
      await tf.io.removeModel('indexeddb://tfjs-deform-spec');
      stored.dispose();
    }
    const config = loaded.layers[0].getConfig();
    expect(config.padding).toBe('same');
    expect(config.activation).toBe('relu');
    expect(loaded.layers[1].getConfig().offsetGroups).toBe(2);
    expect(loaded.layers.map(l => l.getClassName()).slice(0, 2)).toEqual([
      'ModulatedDeformConv2D',
      'DeformConv2D',
    ]);
    const lines: string[] = [];
    loaded.summary(undefined, undefined, line => lines.push(line));
    // kernel 3*3*2*4 + bias 4 + offset_kernel 3*3*2*27 + offset_bias 27
    expect(lines.join('\n')).toMatch(/modulated_deform_conv2d.*589/);
    model.dispose();
    loaded.dispose();
  });

  it('have gradients through a dilated offset branch (tf.conv2d has none for dilations > 1)', async () => {
    const layer = layers.modulatedDeformConv2d({filters: 2, kernelSize: 3, dilationRate: 2});
    const x = uniform(rng(3), [1, 7, 7, 2]);
    layer.apply(x);
    const w = layer.getWeights();
    w[2] = uniform(rng(4), w[2].shape, -0.1, 0.1); // offsets that depend on x
    layer.setWeights(w);
    await checkGradients(v => layer.apply(v) as tf.Tensor, [x], ['x'], {step: 1e-2, entries: 8});
  });

  it('stay unchanged in training when trainable is false', async () => {
    const model = tinyModel();
    model.layers[0].trainable = false;
    model.compile({optimizer: 'sgd', loss: 'meanSquaredError'});
    const frozen = await Promise.all(model.layers[0].getWeights().map(w => w.array()));
    await model.fit(uniform(rng(4), [4, 6, 6, 2]), uniform(rng(5), [4, 1]), {
      epochs: 1,
      verbose: 0,
    });
    expect(model.layers[0].trainableWeights.length).toBe(0);
    expect(await Promise.all(model.layers[0].getWeights().map(w => w.array()))).toEqual(frozen);
    model.dispose();
  });

  it('reject bad configurations clearly', () => {
    expect(() => layers.deformConv2d({filters: 0, kernelSize: 3})).toThrowError(
      /DeformConv2D: filters must be a positive integer/,
    );
    expect(() =>
      layers.deformConv2d({filters: 2, kernelSize: 3, padding: 'full' as 'same'}),
    ).toThrowError(/DeformConv2D: padding must be 'valid', 'same', a number or \[padH, padW\]/);
    expect(() => layers.deformConv2d({filters: 2, kernelSize: 3, padding: -1})).toThrowError(
      /pad must be non-negative integers/,
    );
    expect(() =>
      layers
        .modulatedDeformConv2d({filters: 3, kernelSize: 3, groups: 2})
        .apply(tf.zeros([1, 4, 4, 4])),
    ).toThrowError(/must be divisible by groups/);
    expect(() =>
      layers
        .deformConv2d({filters: 2, kernelSize: 3, offsetGroups: 3})
        .apply(tf.zeros([1, 4, 4, 4])),
    ).toThrowError(/DeformConv2D: input channels \(4\) must be divisible by offsetGroups \(3\)/);
    expect(() => layers.deformConv2d({filters: 2, kernelSize: 3, activation: 'nope'})).toThrowError(
      /DeformConv2D: unknown activation "nope"/,
    );
  });
});
