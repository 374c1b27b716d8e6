/**
 * Non-finite and huge offsets never read outside the input and never throw:
 * such samples contribute zero, to the output and to every gradient.
 */
import * as tf from '@tensorflow/tfjs-core';

import {modulatedDeformConv2d} from '../../src/index';
import {describeAllBackends} from '../util/backends';
import {expectClose} from '../util/expect';
import {nonIntegerOffsets, rng, uniform} from '../util/random';

const BAD = [NaN, Infinity, -Infinity, 1e30, -1e30, 3e38, 1e6];

describeAllBackends('deformConv2d with non-finite or huge offsets', () => {
  it('treats such samples as zero, in the output and the gradients', async () => {
    const random = rng(21);
    const x = uniform(random, [1, 4, 5, 2]);
    const filter = uniform(random, [3, 3, 2, 3]);
    const offsets = Float32Array.from(await nonIntegerOffsets(random, [1, 4, 5, 18]).data());
    const mask = Float32Array.from(await uniform(random, [1, 4, 5, 9], 0.5, 1).data());
    // Poison one coordinate of some taps; the reference zeroes their mask instead.
    const zeroedMask = mask.slice();
    const cleanOffsets = offsets.slice();
    for (let tap = 0; tap < mask.length; tap += 3) {
      offsets[2 * tap + (tap % 2)] = BAD[tap % BAD.length];
      cleanOffsets[2 * tap + (tap % 2)] = 0;
      zeroedMask[tap] = 0;
    }
    const run = (offset: Float32Array, m: Float32Array) => {
      const o = tf.tensor4d(offset, [1, 4, 5, 18]);
      const mk = tf.tensor4d(m, [1, 4, 5, 9]);
      const f = (x: tf.Tensor, filter: tf.Tensor, o: tf.Tensor, mk: tf.Tensor) =>
        modulatedDeformConv2d({x, filter, offset: o, mask: mk, pad: 1});
      const grads = tf.grads((x, filter, o, mk) => tf.sum(f(x, filter, o, mk)))([x, filter, o, mk]);
      return {y: f(x, filter, o, mk), grads};
    };
    const poisoned = run(offsets, mask);
    const reference = run(cleanOffsets, zeroedMask);
    const tol = {atol: 1e-5, rtol: 1e-5};
    await expectClose(poisoned.y, reference.y, tol, 'output');
    await expectClose(poisoned.grads[0], reference.grads[0], tol, 'dx');
    await expectClose(poisoned.grads[1], reference.grads[1], tol, 'dFilter');
    // Poisoned taps get zero offset and mask gradients; the others are unchanged.
    const [dOffset, dMask, refOffset, refMask] = await Promise.all([
      poisoned.grads[2].data(),
      poisoned.grads[3].data(),
      reference.grads[2].data(),
      reference.grads[3].data(),
    ]);
    for (let tap = 0; tap < mask.length; tap++) {
      const poisonedTap = tap % 3 === 0;
      expect(dMask[tap])
        .withContext(`dMask ${tap}`)
        .toBeCloseTo(poisonedTap ? 0 : refMask[tap], 4);
      for (const k of [0, 1]) {
        expect(dOffset[2 * tap + k])
          .withContext(`dOffset ${2 * tap + k}`)
          .toBeCloseTo(poisonedTap ? 0 : refOffset[2 * tap + k], 4);
      }
    }
  });
});
