/**
 * Training a small model that contains the op (a variable filter, offsets
 * and mask from a variable conv2d, SGD): the losses of a few steps match the
 * same steps on the cpu backend; on cpu itself, the same steps with the op
 * replaced by the reference loops called directly (a tf.customGrad around
 * test/util/deform_conv_by_loops.ts) and with a column buffer of a single
 * output position (every kernel chunk by chunk). Memory stays flat over many
 * steps.
 */
import * as tf from '@tensorflow/tfjs-core';

import {COLUMN_BUFFER_BYTES, modulatedDeformConv2d} from '../../src/index';
import {cpuSampling} from '../../src/kernels/cpu/deform_conv_sampling_cpu';
import {resolveDeformConvAttrs} from '../../src/ops/deform_conv_args';
import {computeDeformConvInfo} from '../../src/shape/deform_conv';
import {describeAgainstCpu, describeAllBackends, describeBackend, onCpu} from '../util/backends';
import {expectClose} from '../util/expect';
import {deformConvByLoops} from '../util/deform_conv_by_loops';
import {rng, uniform} from '../util/random';

const TAPS = 9;

type DeformOp = (x: tf.Tensor, filter: tf.Tensor, offset: tf.Tensor, mask: tf.Tensor) => tf.Tensor;

const packageOp: DeformOp = (x, filter, offset, mask) =>
  modulatedDeformConv2d({x, filter, offset, mask, pad: 1});

/**
 * The op's outputs and gradients from the reference loops on the tensors'
 * values (read back synchronously: it runs inside a tf.customGrad, forward
 * and gradient, where nothing can be awaited; {@link loopsOp} is used only
 * on the cpu backend, where a synchronous read is safe).
 */
function byLoops([x, filter, offset, mask]: tf.Tensor[], dy: Float32Array | null): Float32Array[] {
  const info = computeDeformConvInfo(
    x.shape,
    filter.shape,
    resolveDeformConvAttrs('loops', {pad: 1}, x.shape[1]!, x.shape[2]!, [3, 3]),
  );
  const data = (t: tf.Tensor) => t.dataSync() as Float32Array;
  return deformConvByLoops(info, {
    x: data(x),
    filter: data(filter),
    offset: data(offset),
    mask: data(mask),
    bias: null,
    dy: dy ?? new Float32Array(info.batchSize * info.outHeight * info.outWidth * info.outChannels),
  });
}

/** The same op as a tf.customGrad around the reference loops. */
const loopsOp = tf.customGrad(((
  x: tf.Tensor,
  filter: tf.Tensor,
  offset: tf.Tensor,
  mask: tf.Tensor,
  save: tf.GradSaveFunc,
) => {
  const inputs = [x, filter, offset, mask];
  save(inputs);
  const [y] = byLoops(inputs, null);
  return {
    // 3x3, pad 1, stride 1: the size of x, with the filter's output channels.
    value: tf.tensor(y, [x.shape[0]!, x.shape[1]!, x.shape[2]!, filter.shape[3]!]),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
      byLoops(saved, (dy as tf.Tensor).dataSync() as Float32Array)
        .slice(1)
        .map((g, i) => tf.tensor(g, saved[i].shape)),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as DeformOp;

/** x [1, 6, 5, 3] -> 3x3 masked DCN, pad 1 -> [1, 6, 5, 4]; offsets and mask from a 3x3 conv of x. */
class TinyModel {
  readonly x = uniform(rng(1), [1, 6, 5, 3]);
  readonly target = uniform(rng(2), [1, 6, 5, 4]);
  readonly filter = tf.variable(uniform(rng(3), [3, 3, 3, 4], -0.5, 0.5));
  readonly offsetFilter = tf.variable(uniform(rng(4), [3, 3, 3, 3 * TAPS], -0.3, 0.3));
  readonly optimizer = tf.train.sgd(0.1);

  constructor(readonly deform: DeformOp = packageOp) {}

  loss(): tf.Scalar {
    const t = tf.conv2d(this.x as tf.Tensor4D, this.offsetFilter as tf.Tensor4D, 1, 'same');
    const [offset, logits] = tf.split(t, [2 * TAPS, TAPS], 3);
    const y = this.deform(this.x, this.filter, offset, tf.sigmoid(logits));
    return tf.mean(tf.squaredDifference(y, this.target));
  }

  /** One SGD step; returns the loss before it, read asynchronously (test/util/expect.ts says why). */
  async step(): Promise<number> {
    const l = this.optimizer.minimize(() => this.loss(), true)!;
    const value = (await l.data())[0];
    l.dispose();
    return value;
  }

  /** {@link step} on the cpu backend, inside {@link onCpu}: a synchronous cpu read, before onCpu switches back. */
  stepOnCpu(): number {
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

async function trainingLosses(steps: number, deform = packageOp): Promise<number[]> {
  const model = new TinyModel(deform);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    losses.push(await model.step());
  }
  model.dispose();
  return losses;
}

/** {@link trainingLosses} on the cpu backend, inside {@link onCpu} (synchronous cpu reads). */
function trainingLossesOnCpu(steps: number): number[] {
  const model = new TinyModel();
  const losses = Array.from({length: steps}, () => model.stepOnCpu());
  model.dispose();
  return losses;
}

const LOSS_TOL = {atol: 1e-5, rtol: 1e-4};

describeAgainstCpu('deformConv2d training', () => {
  it('gives the same losses as the same SGD steps on cpu', async () => {
    const losses = await trainingLosses(4);
    const reference = await onCpu(() => trainingLossesOnCpu(4));
    expect(reference[3]).toBeLessThan(reference[0]);
    await expectClose(losses, reference, LOSS_TOL, 'losses');
  });
});

describeBackend('cpu', 'deformConv2d training against the reference loops', () => {
  it('gives the same losses as the same SGD steps through the reference loops', async () => {
    const losses = await trainingLosses(4);
    const reference = await trainingLosses(4, loopsOp);
    expect(reference[3]).toBeLessThan(reference[0]);
    await expectClose(losses, reference, LOSS_TOL, 'losses');
  });

  it('gives the same losses with a column buffer of a single output position', async () => {
    const whole = await trainingLosses(4);
    const im2col = spyOn(cpuSampling, 'im2col').and.callThrough();
    const saved = tf.env().get(COLUMN_BUFFER_BYTES);
    tf.env().set(COLUMN_BUFFER_BYTES, 4);
    let chunked: number[];
    try {
      chunked = await trainingLosses(4);
    } finally {
      tf.env().set(COLUMN_BUFFER_BYTES, saved);
    }
    // 30 output positions: the forward pass and the filter gradient sample them one at a time.
    expect(im2col.calls.allArgs().every(args => args[6] === 1)).toBe(true);
    expect(im2col.calls.count()).toBeGreaterThanOrEqual(4 * 2 * 30);
    expect(whole[3]).toBeLessThan(whole[0]);
    await expectClose(chunked, whole, LOSS_TOL, 'losses');
  });
});

describeAllBackends('deformConv2d training', () => {
  it('keeps tensors, backend data and GPU bytes flat over 50 steps', async () => {
    const model = new TinyModel();
    const usage = () => ({
      tensors: tf.memory().numTensors,
      dataIds: tf.engine().backend.numDataIds(),
      // Only the webgl backend reports it (undefined elsewhere).
      gpuBytes: (tf.memory() as {numBytesInGPU?: number}).numBytesInGPU,
    });
    await model.step();
    await model.step();
    const warm = usage();
    for (let step = 3; step <= 50; step++) {
      await model.step();
      if (step % 10 === 0) {
        expect(usage()).withContext(`after step ${step}`).toEqual(warm);
      }
    }
    model.dispose();
  });
});
