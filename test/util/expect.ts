/** Numeric assertions with messages that say where and by how much. */
import * as tf from '@tensorflow/tfjs-core';

export interface Tolerance {
  atol?: number;
  rtol?: number;
}

type Values = tf.Tensor | ArrayLike<number> | number[][] | number[][][] | number[][][][];

function flat(v: Values): Float32Array {
  if (v instanceof tf.Tensor) {
    return v.dataSync() as Float32Array;
  }
  return Float32Array.from((v as number[]).flat(4) as number[]);
}

/** `|a - e| <= atol + rtol * |e|` element-wise (numpy's allclose), shapes equal when both are tensors. */
export function expectClose(
  actual: Values,
  expected: Values,
  {atol = 1e-5, rtol = 1e-5}: Tolerance = {},
  what = 'values',
): void {
  if (actual instanceof tf.Tensor && expected instanceof tf.Tensor) {
    expect(actual.shape).withContext(`${what} shape`).toEqual(expected.shape);
  }
  const a = flat(actual);
  const e = flat(expected);
  expect(a.length).withContext(`${what} size`).toBe(e.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    const excess = Math.abs(a[i] - e[i]) - (atol + rtol * Math.abs(e[i]));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    fail(
      `${what}: element ${worst} is ${a[worst]}, expected ${e[worst]} ` +
        `(atol ${atol}, rtol ${rtol})`,
    );
  } else {
    expect(worst).toBe(-1);
  }
}

/**
 * Runs `fn`, disposes what it returns, and checks that neither the engine's
 * tensor count nor the backend's data count moved.
 */
export function expectNoLeaks(fn: () => tf.TensorContainer): void {
  const tensors = tf.memory().numTensors;
  const dataIds = tf.engine().backend.numDataIds();
  tf.dispose(fn());
  expect(tf.memory().numTensors).withContext('tensors leaked').toBe(tensors);
  expect(tf.engine().backend.numDataIds()).withContext('backend data leaked').toBe(dataIds);
}
