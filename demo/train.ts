/**
 * `npm run train`: trains the demo's plain CNN and deformable CNN side by
 * side in Node (tfjs `wasm` backend by default), prints both test
 * accuracies, saves the deformable model to demo-output/dcn-model/, reloads
 * it with tf.loadLayersModel and checks it predicts exactly as before, and
 * draws what both models look at for a few test digits, one PNG per mode
 * (demo-output/look-<mode>.png: sampling points, effective sampling
 * locations, effective receptive field, saliency region; plain CNN on the
 * first row, deformable CNN on the second).
 *
 *   npm run train -- [--backend wasm|cpu] [--steps 600] [--out demo-output]
 */
import '@tensorflow/tfjs-layers'; // also registers tfjs-core's gradients in Node
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import {resolve} from 'node:path';
import {parseArgs} from 'node:util';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {Presets, SingleBar} from 'cli-progress';

import {ready} from '../src/index';
import {folderLoader, folderSaver} from './node/model_files';
import {loadMnistDigits} from './node/mnist_digits';
import {PNG_SCALE, writeLooksPng} from './node/looks_png';
import {exampleImage, randomExamples} from './shared/augment';
import {DigitSet, splitDigits} from './shared/digits';
import {createModel, MODEL_KINDS, MODEL_TITLES, ModelKind} from './shared/models';
import {lookMarks} from './shared/look_marks';
import {look, LOOK_MODES, LOOK_TITLES} from './shared/looks';
import {seededRandom} from './shared/random';
import {
  accuracyOf,
  BATCH_SIZE,
  imagesTensor,
  predictClasses,
  TEST_SEED,
  trainStep,
  TRAIN_SEED,
} from './shared/training';

const TEST_EXAMPLES = 1000;
const PICTURED_DIGITS = 4;

const {values: options} = parseArgs({
  options: {
    backend: {type: 'string', default: 'wasm'},
    steps: {type: 'string', default: '600'},
    out: {type: 'string', default: 'demo-output'},
  },
});

type Models = Record<ModelKind, tfl.LayersModel>;

async function train(models: Models, digits: DigitSet, steps: number): Promise<void> {
  const random = seededRandom(TRAIN_SEED);
  const totalMs = {cnn: 0, dcn: 0};
  const bar = new SingleBar(
    {
      format:
        '{bar} {value}/{total} steps | loss: cnn {cnn} dcn {dcn} | ms/step: cnn {cnnMs} dcn {dcnMs}',
      noTTYOutput: true,
      notTTYSchedule: 10_000,
    },
    Presets.shades_classic,
  );
  bar.start(steps, 0, {cnn: '-', dcn: '-', cnnMs: '-', dcnMs: '-'});
  for (let step = 1; step <= steps; step++) {
    const batch = randomExamples(digits, BATCH_SIZE, random);
    const shown: Record<string, string> = {};
    for (const kind of MODEL_KINDS) {
      const {loss, milliseconds} = await trainStep(models[kind], batch);
      totalMs[kind] += milliseconds;
      shown[kind] = loss.toFixed(3);
      shown[`${kind}Ms`] = (totalMs[kind] / step).toFixed(0);
    }
    bar.update(step, shown);
    // Let timers run: the progress bar redraws on one, and Ctrl-C is handled promptly.
    await new Promise(resolve => setImmediate(resolve));
  }
  bar.stop();
}

/** Saves the model, loads it back and checks that it predicts exactly what the trained one does. */
async function saveAndReload(
  model: tfl.LayersModel,
  folder: string,
  images: Float32Array,
): Promise<boolean> {
  await model.save(folderSaver(folder));
  const reloaded = await tfl.loadLayersModel(await folderLoader(folder));
  const x = imagesTensor(images);
  const [before, after] = [model, reloaded].map(m => m.predict(x) as tf.Tensor);
  const difference = (await tf.max(tf.abs(tf.sub(before, after))).data())[0];
  const sameClasses =
    tf.all(tf.equal(tf.argMax(before, 1), tf.argMax(after, 1))).dataSync()[0] === 1;
  console.log(
    `saved ${folder}/ and reloaded it: largest difference in predicted probabilities ${difference}, ` +
      `same classes: ${sameClasses}`,
  );
  tf.dispose([x, before, after]);
  reloaded.dispose();
  return sameClasses && difference === 0;
}

/** One PNG per mode: a row per model, a column per digit, each digit's ink-centre unit. */
async function drawLooks(models: Models, images: Float32Array[], out: string): Promise<void> {
  for (const mode of LOOK_MODES) {
    const rows = [];
    for (const kind of MODEL_KINDS) {
      const row = [];
      for (const image of images) {
        row.push({image, marks: lookMarks(await look(models[kind], image, null, mode), PNG_SCALE)});
      }
      rows.push(row);
    }
    const path = resolve(out, `look-${mode}.png`);
    writeLooksPng(path, rows);
    console.log(`${LOOK_TITLES[mode]} of ${images.length} test digits (plain CNN, DCN): ${path}`);
  }
}

async function main() {
  const backend = options.backend!;
  const steps = Number(options.steps);
  const out = resolve(options.out!);
  if (!(await tf.setBackend(backend))) {
    throw new Error(`backend ${backend} failed to initialise`);
  }
  await ready(); // tfjs-deform's wasm module, for the wasm backend
  console.log(
    `training both models for ${steps} steps of ${BATCH_SIZE} digits on the ${tf.getBackend()} backend`,
  );

  const digits = splitDigits(loadMnistDigits());
  const models: Models = {cnn: createModel('cnn'), dcn: createModel('dcn')};
  await train(models, digits.train, steps);

  const test = randomExamples(digits.test, TEST_EXAMPLES, seededRandom(TEST_SEED));
  for (const kind of MODEL_KINDS) {
    const accuracy = accuracyOf(await predictClasses(models[kind], test), test.labels);
    console.log(
      `test accuracy, ${MODEL_TITLES[kind]}: ${(100 * accuracy).toFixed(1)}% (${TEST_EXAMPLES} digits)`,
    );
  }
  const reloadedOk = await saveAndReload(models.dcn, resolve(out, 'dcn-model'), test.images);
  const pictured = Array.from({length: PICTURED_DIGITS}, (_, n) => exampleImage(test, n));
  await drawLooks(models, pictured, out);
  if (!reloadedOk) {
    throw new Error('the reloaded model does not predict what the trained one does');
  }
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
