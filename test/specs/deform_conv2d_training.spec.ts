/**
 * Training a small model that contains the op (a variable filter, offsets
 * and mask from a variable conv2d, SGD): the losses of a few steps match the
 * same steps on cpu, and memory stays flat over many steps.
 */
import * as tf from '@tensorflow/tfjs-core';

import {modulatedDeformConv2d} from '../../src/index';
import {describeAllBackends} from '../util/backends';
import {expectClose} from '../util/expect';
import {rng, uniform} from '../util/random';

const TAPS = 9;

/** x [1, 6, 5, 3] -> 3x3 masked DCN, pad 1 -> [1, 6, 5, 4]; offsets and mask from a 3x3 conv of x. */
class TinyModel {
  readonly x = uniform(rng(1), [1, 6, 5, 3]);
  readonly target = uniform(rng(2), [1, 6, 5, 4]);
  readonly filter = tf.variable(uniform(rng(3), [3, 3, 3, 4], -0.5, 0.5));
  readonly offsetFilter = tf.variable(uniform(rng(4), [3, 3, 3, 3 * TAPS], -0.3, 0.3));
  readonly optimizer = tf.train.sgd(0.1);

  loss(): tf.Scalar {
    const t = tf.conv2d(this.x as tf.Tensor4D, this.offsetFilter as tf.Tensor4D, 1, 'same');
    const [offset, logits] = tf.split(t, [2 * TAPS, TAPS], 3);
    const y = modulatedDeformConv2d({
      x: this.x,
      filter: this.filter,
      offset,
      mask: tf.sigmoid(logits),
      pad: 1,
    });
    return tf.mean(tf.squaredDifference(y, this.target));
  }

  /** One SGD step; returns the loss before it. */
  step(): number {
    const l = this.optimizer.minimize(() => this.loss(), true)!;
    const value = l.dataSync()[0];
    l.dispose();
    return value;
  }

  dispose(): void {
    tf.dispose([this.x, this.target, this.filter, this.offsetFilter]);
    this.optimizer.dispose();
  }
}

function trainingLosses(steps: number): number[] {
  const model = new TinyModel();
  const losses = Array.from({length: steps}, () => model.step());
  model.dispose();
  return losses;
}

describeAllBackends('deformConv2d training', () => {
  it('gives the same losses as the same SGD steps on cpu', async () => {
    const backend = tf.getBackend();
    const losses = trainingLosses(4);
    await tf.setBackend('cpu');
    const reference = trainingLosses(4);
    await tf.setBackend(backend);
    expect(reference[3]).toBeLessThan(reference[0]);
    expectClose(losses, reference, {atol: 1e-5, rtol: 1e-4}, 'losses');
  });

  it('keeps tensors, backend data and GPU bytes flat over 50 steps', () => {
    const model = new TinyModel();
    const usage = () => ({
      tensors: tf.memory().numTensors,
      dataIds: tf.engine().backend.numDataIds(),
      // Only the webgl backend reports it (undefined elsewhere).
      gpuBytes: (tf.memory() as {numBytesInGPU?: number}).numBytesInGPU,
    });
    model.step();
    model.step();
    const warm = usage();
    for (let step = 3; step <= 50; step++) {
      model.step();
      if (step % 10 === 0) {
        expect(usage()).withContext(`after step ${step}`).toEqual(warm);
      }
    }
    model.dispose();
  });
});
