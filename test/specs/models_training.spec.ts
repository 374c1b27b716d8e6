/**
 * The models are ordinary tfjs LayersModels: `save` / `tf.loadLayersModel`
 * through memory give a model predicting what the original predicts (every
 * backend), and one `fit` step trains them (loss finite, weights and
 * BatchNorm statistics move, predictions stay finite) on wasm and webgl:
 * tfjs's own cpu convolution gradients take minutes on these networks, and
 * webgpu here is SwiftShader. One model per family; no tensor left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import {loadLayersModel, LayersModel} from '@tensorflow/tfjs-layers';

import {models} from '../../src/index';
import {describeAllBackends, describeBackend, withoutTfjsKernelLeakCheck} from '../util/backends';
import {expectClose} from '../util/expect';

const CLASSES = 4;
const TIMEOUT_MS = 600000;

const FAMILIES: [string, (size: number) => LayersModel][] = [
  [
    'ResNet-50-DCNv2',
    size =>
      models.resNet({
        depth: 50,
        dcn: {version: 2, stages: [false, true, true, true]},
        inputShape: [size, size, 3],
        numClasses: CLASSES,
      }),
  ],
  [
    'RedNet-26',
    size => models.redNet({depth: 26, inputShape: [size, size, 3], numClasses: CLASSES}),
  ],
  [
    'InternImage-T',
    size => models.internImage({variant: 'T', inputShape: [size, size, 3], numClasses: CLASSES}),
  ],
];

async function weightValues(model: LayersModel, name: string): Promise<Float32Array> {
  const weight = model.weights.find(w => w.originalName === name);
  return (await weight!.read().data()) as Float32Array;
}

describeAllBackends('models save and load like any tfjs model', () => {
  for (const [name, build] of FAMILIES) {
    it(
      name,
      async () => {
        const before = tf.memory().numTensors;
        const model = build(32);
        let artifacts: tf.io.ModelArtifacts | undefined;
        await model.save(
          tf.io.withSaveHandler(async a => {
            artifacts = a;
            return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
          }),
        );
        const loaded = await loadLayersModel(tf.io.fromMemory(artifacts!));
        const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 1);
        const expected = model.predict(x) as tf.Tensor;
        const actual = loaded.predict(x) as tf.Tensor;
        await expectClose(actual, expected, {atol: 1e-5, rtol: 1e-4}, 'loaded model');
        tf.dispose([x, expected, actual]);
        model.dispose();
        loaded.dispose();
        expect(tf.memory().numTensors).toBe(before);
      },
      TIMEOUT_MS,
    );
  }
});

for (const backend of ['wasm', 'webgl']) {
  describeBackend(backend, 'models train like any tfjs model', () => {
    withoutTfjsKernelLeakCheck();
    for (const [name, build] of FAMILIES) {
      it(
        name,
        async () => {
          const before = tf.memory().numTensors;
          // 64 x 64: the last stage's BatchNorm sees 2 x 2 x 2 values (1 x 1 x 2 are degenerate).
          const model = build(64);
          const x = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 1);
          const y = tf.tidy(() => tf.oneHot(tf.tensor1d([1, 3], 'int32'), CLASSES));
          model.compile({
            optimizer: tf.train.sgd(1e-3),
            loss: (labels: tf.Tensor, logits: tf.Tensor) =>
              tf.losses.softmaxCrossEntropy(labels, logits),
          });
          const kernelName = model.weights[0].originalName;
          const movingMeanName = model.weights.find(w =>
            /moving_mean$/.test(w.originalName),
          )!.originalName;
          const kernelBefore = await weightValues(model, kernelName);
          const meanBefore = await weightValues(model, movingMeanName);
          const history = await model.fit(x, y, {epochs: 1, batchSize: 2, verbose: 0});
          expect(Number.isFinite(history.history.loss[0] as number)).toBe(true);
          expect(await weightValues(model, kernelName)).not.toEqual(kernelBefore);
          expect(await weightValues(model, movingMeanName)).not.toEqual(meanBefore);
          const logits = model.predict(x) as tf.Tensor;
          expect((await logits.data()).every(Number.isFinite)).toBe(true);
          tf.dispose([x, y, logits]);
          model.optimizer.dispose();
          model.dispose();
          expect(tf.memory().numTensors).toBe(before);
        },
        TIMEOUT_MS,
      );
    }
  });
}
