/** Seeded test data, so a failing case reproduces. */
import * as tf from '@tensorflow/tfjs-core';

/** mulberry32: a small, well-mixed 32-bit PRNG. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A tensor with entries uniform in `[lo, hi)`. */
export function uniform(random: () => number, shape: number[], lo = -1, hi = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({length: size}, () => lo + (hi - lo) * random()),
    shape,
  );
}

/**
 * Offsets whose sample positions have fractional parts in [0.2, 0.8] (the
 * grid is integral), so a finite difference of step < 0.2 never crosses a
 * pixel boundary.
 */
export function nonIntegerOffsets(random: () => number, shape: number[], range = 2): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from(
      {length: size},
      () => Math.floor((2 * random() - 1) * range) + 0.2 + 0.6 * random(),
    ),
    shape,
  );
}
