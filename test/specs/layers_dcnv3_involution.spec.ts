/**
 * The DCNv3 (InternImage) and Involution (RedNet) layers: what a fresh layer
 * computes, against stock ops; PyTorch parameter counts; shape rules; BN
 * statistics in training; training, save / load round trips and no leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import {
  DCNv3 as DCNv3Kernel,
  DCNv3BackpropInput,
  Involution as InvolutionKernel,
  InvolutionBackpropInput,
  layers,
} from '../../src/index';
import {describeAllBackends, withoutTfjsKernelLeakCheck} from '../util/backends';
import {expectClose} from '../util/expect';
import {rng, uniform} from '../util/random';

const TOL = {atol: 1e-4, rtol: 1e-4};

/** model.save to memory, then tf.loadLayersModel. */
async function roundTrip(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async artifacts => {
      saved = artifacts;
      return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
    }),
  );
  return tfl.loadLayersModel(tf.io.fromMemory(saved!));
}

/** Trains a few steps, checks the loss fell and that saving and loading keeps predictions. */
async function trainSaveLoad(model: tfl.Sequential, xs: tf.Tensor, ys: tf.Tensor) {
  model.compile({optimizer: tf.train.adam(0.005), loss: 'meanSquaredError'});
  const history = await model.fit(xs, ys, {epochs: 6, batchSize: xs.shape[0], verbose: 0});
  const losses = history.history.loss as number[];
  expect(losses[5]).toBeLessThan(losses[0]);
  const loaded = await roundTrip(model);
  await expectClose(loaded.predict(xs) as tf.Tensor, model.predict(xs) as tf.Tensor, {
    atol: 1e-6,
    rtol: 1e-6,
  });
  model.dispose();
  loaded.dispose();
}

describeAllBackends(
  'DCNv3 layer',
  () => {
    withoutTfjsKernelLeakCheck();

    it('starts as the projections around a 3x3 box filter (zero offsets, softmax of zeros)', async () => {
      const x = uniform(rng(1), [2, 5, 6, 8]) as tf.Tensor4D;
      const layer = layers.dcnv3({groups: 2});
      const y = layer.apply(x) as tf.Tensor;
      const [inKernel, inBias] = layer.getWeights();
      const outKernel = layer.getWeights()[layer.getWeights().length - 2];
      const outBias = layer.getWeights()[layer.getWeights().length - 1];
      const dense = (t: tf.Tensor, k: tf.Tensor, b: tf.Tensor) =>
        tf.add(tf.reshape(tf.matMul(tf.reshape(t, [-1, 8]), k), t.shape), b);
      const box = tf.depthwiseConv2d(
        dense(x, inKernel, inBias) as tf.Tensor4D,
        tf.fill([3, 3, 8, 1], 1 / 9),
        1,
        'same',
      );
      await expectClose(y, dense(box, outKernel, outBias), TOL);
    });

    it('counts PyTorch parameters, keeps the size and rejects a shrinking grid', () => {
      const [c, g, p] = [16, 4, 9];
      const layer = layers.dcnv3({groups: g, centerFeatureScale: true});
      expect((layer.apply(tfl.input({shape: [7, 7, c]})) as tfl.SymbolicTensor).shape).toEqual([
        null,
        7,
        7,
        c,
      ]);
      // input_proj, dw_conv, LN, offset, mask, output_proj, centre-feature scale
      expect(layer.countParams()).toBe(
        c * c +
          c +
          (c * 9 + c) +
          2 * c +
          (c * g * p * 2 + g * p * 2) +
          (c * g * p + g * p) +
          (c * c + c) +
          (c * g + g),
      );
      expect(() => layers.dcnv3({strides: 2}).apply(tf.zeros([1, 6, 6, 8]))).toThrowError(
        /DCNv3: kernelSize 3, strides 2, pad 1 and dilation 1 change the size 6/,
      );
      expect(() => layers.dcnv3({groups: 3}).apply(tf.zeros([1, 6, 6, 8]))).toThrowError(
        /divisible by groups/,
      );
    });

    it('trains in tf.sequential and round-trips through model.save', async () => {
      const model = tfl.sequential();
      model.add(
        layers.dcnv3({
          inputShape: [6, 6, 8],
          groups: 2,
          offsetScale: 1.5,
          centerFeatureScale: true,
        }),
      );
      model.add(tfl.layers.flatten());
      model.add(tfl.layers.dense({units: 1}));
      await trainSaveLoad(model, uniform(rng(2), [4, 6, 6, 8]), uniform(rng(3), [4, 1]));
    });
  },
  [DCNv3Kernel, DCNv3BackpropInput, 'DepthwiseConv2dNativeBackpropFilter'],
);

describeAllBackends(
  'Involution layer',
  () => {
    withoutTfjsKernelLeakCheck();

    it('equals tf.depthwiseConv2d when its generated kernel is constant over space', async () => {
      const [k, c, groups] = [3, 32, 2];
      const x = uniform(rng(4), [2, 6, 6, c]) as tf.Tensor4D;
      const layer = layers.involution({kernelSize: k, strides: 2});
      layer.apply(x);
      // A zero span kernel leaves the span bias: one k x k kernel per group, everywhere.
      // Weight order: trainable (reduce, gamma, beta, span kernel, span bias), then BN statistics.
      const taps = uniform(rng(5), [groups * k * k]);
      const weights = layer.getWeights();
      layer.setWeights([
        ...weights.slice(0, 3),
        tf.zerosLike(weights[3]),
        taps,
        ...weights.slice(5),
      ]);
      const t = await taps.data();
      const depthwise = tf.tensor4d(
        Array.from(
          {length: k * k * c},
          (_, i) => t[Math.floor((i % c) / 16) * k * k + Math.floor(i / c)],
        ),
        [k, k, c, 1],
      );
      await expectClose(
        layer.apply(x) as tf.Tensor,
        tf.depthwiseConv2d(x, depthwise, 2, [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ]),
        TOL,
      );
    });

    it('counts PyTorch parameters (BN statistics are buffers) and checks the stride', () => {
      const [c, k] = [64, 7];
      const layer = layers.involution({kernelSize: k, strides: 2});
      expect((layer.apply(tfl.input({shape: [8, 8, c]})) as tfl.SymbolicTensor).shape).toEqual([
        null,
        4,
        4,
        c,
      ]);
      const [reduced, span] = [c / 4, (c / 16) * k * k];
      expect(layer.countParams()).toBe(c * reduced + 2 * reduced + reduced * span + span);
      expect(() =>
        layers.involution({kernelSize: 3, strides: 2}).apply(tf.zeros([1, 7, 8, 16])),
      ).toThrowError(/Involution: strides 2 must divide the input size 7/);
      expect(() => layers.involution({kernelSize: 3}).apply(tf.zeros([1, 4, 4, 24]))).toThrowError(
        /divisible by groupChannels \(16\)/,
      );
    });

    it('updates its BatchNorm statistics in training, uses them in inference, trains and round-trips', async () => {
      const model = tfl.sequential();
      model.add(layers.involution({inputShape: [6, 6, 16], kernelSize: 3}));
      model.add(tfl.layers.flatten());
      model.add(tfl.layers.dense({units: 1}));
      const movingMean = async () => Array.from(await model.layers[0].getWeights()[5].data());
      expect((await movingMean()).every(v => v === 0)).toBe(true);
      const xs = uniform(rng(6), [4, 6, 6, 16]);
      model.compile({optimizer: 'sgd', loss: 'meanSquaredError'});
      await model.fit(xs, uniform(rng(7), [4, 1]), {epochs: 1, batchSize: 4, verbose: 0});
      expect((await movingMean()).some(v => v !== 0))
        .withContext('moving mean updated by fit')
        .toBe(true);
      // Inference uses the statistics: predictions do not depend on the batch.
      await expectClose(
        tf.slice(model.predict(xs) as tf.Tensor, 0, 1),
        model.predict(tf.slice(xs, 0, 1)) as tf.Tensor,
        {atol: 1e-5, rtol: 1e-5},
      );
      await trainSaveLoad(model, xs, uniform(rng(8), [4, 1]));
    });
  },
  [InvolutionKernel, InvolutionBackpropInput],
);
