/** One training step and the test accuracy, the same in the page and in the Node trainer. */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import {Examples, IMAGE_SIZE} from './augment';
import {CLASSES} from './digits';

export const BATCH_SIZE = 32;

/** Fixed seeds: the page and the trainer draw the same batches and the same test set. */
export const TRAIN_SEED = 1;
export const TEST_SEED = 2;

export function imagesTensor(images: Float32Array): tf.Tensor4D {
  return tf.tensor4d(images, [
    images.length / (IMAGE_SIZE * IMAGE_SIZE),
    IMAGE_SIZE,
    IMAGE_SIZE,
    1,
  ]);
}

export interface StepResult {
  loss: number;
  /** Accuracy on the training batch. */
  accuracy: number;
  /** Wall time of the step, data download included (so GPU work is finished). */
  milliseconds: number;
}

/** One optimizer step of `model` on `examples`. */
export async function trainStep(model: tfl.LayersModel, examples: Examples): Promise<StepResult> {
  const xs = imagesTensor(examples.images);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(examples.labels, 'int32'), CLASSES));
  try {
    const start = performance.now();
    const [loss, accuracy] = (await model.trainOnBatch(xs, ys)) as number[];
    return {loss, accuracy, milliseconds: performance.now() - start};
  } finally {
    tf.dispose([xs, ys]);
  }
}

/** The class `model` predicts for each example, in batches. */
export async function predictClasses(
  model: tfl.LayersModel,
  examples: Examples,
): Promise<Int32Array> {
  const count = examples.labels.length;
  const predictions = new Int32Array(count);
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  for (let start = 0; start < count; start += 4 * BATCH_SIZE) {
    const end = Math.min(count, start + 4 * BATCH_SIZE);
    const classes = tf.tidy(() =>
      tf.argMax(
        model.predict(
          imagesTensor(examples.images.subarray(start * pixels, end * pixels)),
        ) as tf.Tensor,
        1,
      ),
    );
    predictions.set((await classes.data()) as Int32Array, start);
    classes.dispose();
  }
  return predictions;
}

export function accuracyOf(predictions: Int32Array, labels: Uint8Array): number {
  return predictions.reduce((right, p, i) => right + (p === labels[i] ? 1 : 0), 0) / labels.length;
}
