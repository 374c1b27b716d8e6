/**
 * The DeformRoIPool layer on [features, rois]: a fresh Pack layer pools like
 * the plain op (the modulated one at half), PyTorch parameter counts, shapes
 * in a two-input tf.model, training, save / load and no leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import {
  DeformRoIPool,
  DeformRoIPoolBackprop,
  deformRoiPool,
  layers,
  ModulatedDeformRoIPool,
} from '../../src/index';
import {describeAllBackends, withoutTfjsKernelLeakCheck} from '../util/backends';
import {expectClose} from '../util/expect';
import {rng, uniform} from '../util/random';

const rois = () =>
  tf.tensor2d([
    [0, 1.3, 0.7, 6.1, 5.2],
    [1, 0.4, 2.2, 4.4, 7.3],
    [1, 2.1, 1.9, 7.3, 6.8],
  ]);

/** A model on [features [8, 9, C], rois [R, 5]] with the layer, then a dense head. */
function roiModel(channels: number, args: Parameters<typeof layers.deformRoiPool>[0]) {
  const features = tfl.input({shape: [8, 9, channels]});
  const boxes = tfl.input({batchShape: [null, 5]});
  const pooled = layers.deformRoiPool(args).apply([features, boxes]) as tfl.SymbolicTensor;
  const out = tfl.layers
    .dense({units: 1})
    .apply(tfl.layers.flatten().apply(pooled)) as tfl.SymbolicTensor;
  return tfl.model({inputs: [features, boxes], outputs: out});
}

describeAllBackends(
  'DeformRoIPool layer',
  () => {
    withoutTfjsKernelLeakCheck();

    it('starts as the plain pooling (modulated: at half)', async () => {
      const x = uniform(rng(1), [2, 8, 9, 3]);
      const attrs = {outputSize: 2, samplingRatio: 2, spatialScale: 0.5};
      const plain = deformRoiPool({x, rois: rois(), ...attrs});
      await expectClose(
        layers.deformRoiPool({...attrs, deformFcChannels: 16}).apply([x, rois()]) as tf.Tensor,
        plain,
        {atol: 1e-6, rtol: 0},
      );
      await expectClose(
        layers
          .deformRoiPool({...attrs, modulated: true, deformFcChannels: 16})
          .apply([x, rois()]) as tf.Tensor,
        tf.mul(plain, 0.5),
        {atol: 1e-6, rtol: 0},
      );
      await expectClose(
        layers.deformRoiPool({...attrs, offsetBranch: false}).apply([x, rois()]) as tf.Tensor,
        plain,
        {atol: 0, rtol: 0},
      );
    });

    it('counts PyTorch parameters and gives symbolic shapes', () => {
      const [c, bins, f] = [4, 3 * 2, 32];
      const model = roiModel(c, {outputSize: [3, 2], modulated: true, deformFcChannels: f});
      const layer = model.layers.find(l => l.getClassName() === 'DeformRoIPool')!;
      expect(layer.countParams()).toBe(
        c * bins * f +
          f +
          (f * f + f) +
          (f * 2 * bins + 2 * bins) +
          (c * bins * f + f) +
          (f * bins + bins),
      );
      expect(model.outputs[0].shape).toEqual([null, 1]);
      expect(
        layer.computeOutputShape([
          [null, 8, 9, c],
          [null, 5],
        ]),
      ).toEqual([null, 3, 2, c]);
      expect(() =>
        layers.deformRoiPool({outputSize: 2, offsetBranch: false, modulated: true}),
      ).toThrowError(/DeformRoIPool: modulated needs the offset branch/);
    });

    it('trains in a two-input tf.model and round-trips through model.save', async () => {
      const model = roiModel(3, {
        outputSize: 2,
        samplingRatio: 2,
        modulated: true,
        deformFcChannels: 16,
      });
      model.compile({optimizer: tf.train.adam(0.01), loss: 'meanSquaredError'});
      // One image per RoI. A RoI's batch index names its image's position in the
      // batch, so fit must not shuffle (it would reorder images and RoIs alike).
      const xs = uniform(rng(2), [3, 8, 9, 3]);
      const boxes = tf.tensor2d([
        [0, 1.3, 0.7, 6.1, 5.2],
        [1, 0.4, 2.2, 4.4, 7.3],
        [2, 2.1, 1.9, 7.3, 6.8],
      ]);
      const ys = uniform(rng(3), [3, 1]);
      const history = await model.fit([xs, boxes], ys, {
        epochs: 6,
        batchSize: 3,
        shuffle: false,
        verbose: 0,
      });
      const losses = history.history.loss as number[];
      expect(losses[5]).toBeLessThan(losses[0]);
      let saved: tf.io.ModelArtifacts | undefined;
      await model.save(
        tf.io.withSaveHandler(async artifacts => {
          saved = artifacts;
          return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
        }),
      );
      const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
      await expectClose(
        loaded.predict([xs, boxes]) as tf.Tensor,
        model.predict([xs, boxes]) as tf.Tensor,
        {atol: 1e-6, rtol: 1e-6},
      );
      expect(
        loaded.layers.find(l => l.getClassName() === 'DeformRoIPool')!.getConfig().modulated,
      ).toBe(true);
      model.dispose();
      loaded.dispose();
    });
  },
  [DeformRoIPool, ModulatedDeformRoIPool, DeformRoIPoolBackprop],
);
