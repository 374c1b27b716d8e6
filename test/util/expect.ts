/**
 * Numeric assertions with messages that say where and by how much.
 *
 * Tensors are read asynchronously (`await t.data()`): on webgpu a synchronous
 * read (dataSync, arraySync, bufferSync, print) returns zeros and loses the
 * device in headless Chromium, so no spec reads a tensor of the backend under
 * test synchronously, on any backend.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface Tolerance {
  atol?: number;
  rtol?: number;
}

type Values = tf.Tensor | ArrayLike<number> | number[][] | number[][][] | number[][][][];

function flatValues(v: Exclude<Values, tf.Tensor>): Float32Array {
  return Array.isArray(v)
    ? Float32Array.from((v as unknown as number[]).flat(4) as number[])
    : Float32Array.from(v as ArrayLike<number>);
}

async function flat(v: Values): Promise<Float32Array> {
  if (v instanceof tf.Tensor) {
    return (await v.data()) as Float32Array;
  }
  return flatValues(v);
}

/** The element-wise comparison of {@link expectClose} on values already read. */
function compare(a: Float32Array, e: Float32Array, atol: number, rtol: number, what: string) {
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
 * `|a - e| <= atol + rtol * |e|` element-wise (numpy's allclose), shapes equal
 * when both are tensors. Await it: tensors are read with `await t.data()`, so
 * they must stay alive (not disposed, not inside a `tf.tidy` that ends) until
 * it resolves. With plain values on both sides (no tensor) the comparison is
 * made synchronously, before it returns: test/specs/wasm_memory.spec.ts
 * compares wasm heap views that way without awaiting.
 */
export function expectClose(
  actual: Values,
  expected: Values,
  {atol = 1e-5, rtol = 1e-5}: Tolerance = {},
  what = 'values',
): Promise<void> {
  if (!(actual instanceof tf.Tensor) && !(expected instanceof tf.Tensor)) {
    compare(flatValues(actual), flatValues(expected), atol, rtol, what);
    return Promise.resolve();
  }
  if (actual instanceof tf.Tensor && expected instanceof tf.Tensor) {
    expect(actual.shape).withContext(`${what} shape`).toEqual(expected.shape);
  }
  return Promise.all([flat(actual), flat(expected)]).then(([a, e]) =>
    compare(a, e, atol, rtol, what),
  );
}

/**
 * Runs `fn` (which may be async and read its tensors with `await`), disposes
 * what it returns, and checks that neither the engine's tensor count nor the
 * backend's data count moved.
 */
export async function expectNoLeaks(
  fn: () => tf.TensorContainer | Promise<tf.TensorContainer>,
): Promise<void> {
  const tensors = tf.memory().numTensors;
  const dataIds = tf.engine().backend.numDataIds();
  tf.dispose(await fn());
  expect(tf.memory().numTensors).withContext('tensors leaked').toBe(tensors);
  expect(tf.engine().backend.numDataIds()).withContext('backend data leaked').toBe(dataIds);
}
