/**
 * Central finite differences of `L = sum(f(inputs) * weights)` at a few
 * entries of each input, against the analytic gradients from `tf.grads`.
 * Every value is read asynchronously (see expect.ts): await it.
 */
import * as tf from '@tensorflow/tfjs-core';

import {expectClose, Tolerance} from './expect';
import {rng} from './random';

export async function checkGradients(
  f: (...inputs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
  names: string[],
  {
    step = 0.05,
    entries = 6,
    seed = 1,
    atol = 2e-3,
    rtol = 2e-2,
  }: Tolerance & {step?: number; entries?: number; seed?: number} = {},
): Promise<void> {
  const random = rng(seed);
  const weights = tf.tidy(() => {
    const y = f(...inputs);
    return tf.randomUniform(y.shape, -1, 1, 'float32', seed);
  });
  const loss = (...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), weights));
  const analytic = tf.grads(loss)(inputs);
  for (const [which, input] of inputs.entries()) {
    const values = (await input.data()).slice();
    const grad = await analytic[which].data();
    const picked: number[] = [];
    const numeric: number[] = [];
    for (let e = 0; e < Math.min(entries, values.length); e++) {
      const i = Math.floor(random() * values.length);
      const at = async (delta: number) => {
        const l = tf.tidy(() => {
          const v = values.slice();
          v[i] += delta;
          const shifted = inputs.slice();
          shifted[which] = tf.tensor(v, input.shape);
          return loss(...shifted);
        });
        const value = (await l.data())[0];
        l.dispose();
        return value;
      };
      const plus = await at(step);
      const minus = await at(-step);
      numeric.push((plus - minus) / (2 * step));
      picked.push(grad[i]);
    }
    await expectClose(picked, numeric, {atol, rtol}, `d/d${names[which]}`);
  }
  tf.dispose([weights, ...analytic]);
}
