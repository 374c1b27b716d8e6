/**
 * The formula fill of test/fixtures/models/formula.json (the generator's
 * scripts/model_fixtures/formula.py in JS): every parameter, buffer and the
 * input as a function of its key name and element index, in float64, rounded
 * to float32, so the model fixtures need no weights.
 */
import * as tf from '@tensorflow/tfjs-core';

import type {StateDict} from '../../src/index';
import formula from '../fixtures/models/formula.json';

interface Rule {
  pattern: string;
  rank?: number;
  center: number;
  amplitude: number;
  perFanIn?: boolean;
}

const RULES = (formula.rules as Rule[]).map(rule => ({...rule, regex: new RegExp(rule.pattern)}));

function fnv1a32(key: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) {
    h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  }
  return h;
}

/** MurmurHash3's 32-bit finaliser. */
function fmix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x = (x ^ (x >>> 13)) >>> 0;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** The values of `key` in PyTorch's layout and shape, row-major. */
export function formulaValues(key: string, shape: number[]): Float32Array {
  const rule = RULES.find(r => r.regex.test(key) && (r.rank ?? shape.length) === shape.length);
  if (rule == null) {
    throw new Error(`formula: no rule for ${key}`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  const amplitude = rule.perFanIn ? rule.amplitude * Math.sqrt(3 / fanIn) : rule.amplitude;
  const h = fnv1a32(key);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const u = fmix32((Math.imul(i, 0x9e3779b1) + h) >>> 0) / 2 ** 31 - 1;
    values[i] = rule.center + amplitude * u;
  }
  return values;
}

/**
 * A state dict of these keys and shapes filled by the formula; integer
 * buffers (BatchNorm's `num_batches_tracked`) hold 0, as a checkpoint's
 * would hold some count.
 */
export function formulaState(keys: [string, number[]][]): StateDict {
  return new Map(
    keys.map(([key, shape]) => [
      key,
      {
        shape,
        data: key.endsWith('num_batches_tracked') ? new Float32Array(1) : formulaValues(key, shape),
      },
    ]),
  );
}

/** The formula's input image, `[N, C, H, W]` as PyTorch takes it, channels-last. */
export function formulaInput(nchw: number[]): tf.Tensor4D {
  return tf.tidy(() =>
    tf.transpose(
      tf.tensor4d(formulaValues('input', nchw), nchw as [number, number, number, number]),
      [0, 2, 3, 1],
    ),
  );
}
