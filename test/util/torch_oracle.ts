/**
 * PyTorch-oracle fixtures (test/fixtures/torch, written by
 * scripts/gen_torch_fixtures.py): float32 inputs already in our layouts, an
 * upstream gradient `dy`, and PyTorch's float64 output and autograd gradients
 * of `sum(y * dy)`. `checkTorchCase` runs one case's forward and `tf.grads`
 * on the active backend and compares both, checking for leaks; it reads
 * asynchronously (see expect.ts): await it.
 */
import * as tf from '@tensorflow/tfjs-core';

import {expectClose, expectNoLeaks, Tolerance} from './expect';

export interface TorchTensor {
  shape: number[];
  data: number[];
}

export interface TorchCase<Attrs> {
  name: string;
  attrs: Attrs;
  inputs: Record<string, TorchTensor>;
  dy: TorchTensor;
  expected: {y: TorchTensor; grads: Record<string, TorchTensor>};
}

export interface TorchFixture<Attrs> {
  provenance: Record<string, unknown>;
  cases: Array<TorchCase<Attrs>>;
}

export const torchTensor = (t: TorchTensor): tf.Tensor => tf.tensor(t.data, t.shape, 'float32');

declare const __karma__: {config: {torchReport?: boolean}} | undefined;

/** Worst errors seen per suite (op and backend), printed by `reportTorchErrors` when asked. */
const worst = new Map<string, {abs: number; rel: number; values: number}>();

async function record(key: string, actual: tf.Tensor, expected: TorchTensor) {
  const a = await actual.data();
  const entry = worst.get(key) ?? {abs: 0, rel: 0, values: 0};
  for (let i = 0; i < a.length; i++) {
    const e = expected.data[i];
    const err = Math.abs(a[i] - e);
    entry.abs = Math.max(entry.abs, err);
    // Relative error where it means something (|expected| >= 1e-3).
    if (Math.abs(e) >= 1e-3) {
      entry.rel = Math.max(entry.rel, err / Math.abs(e));
    }
  }
  entry.values += a.length;
  worst.set(key, entry);
}

function reportWanted(): boolean {
  if (typeof __karma__ !== 'undefined') {
    return __karma__.config.torchReport === true;
  }
  return typeof process !== 'undefined' && process.env.TFDEFORM_TORCH_REPORT === '1';
}

/**
 * `afterAll` hook printing the worst errors of the suite's key when
 * TFDEFORM_TORCH_REPORT=1 (Node) or karma's `client.torchReport` is set.
 */
export function reportTorchErrors(op: string): void {
  afterAll(() => {
    if (!reportWanted()) {
      return;
    }
    const key = `${op} [${tf.getBackend()}]`;
    const w = worst.get(key);
    if (w) {
      console.log(
        `torch oracle ${key}: max abs error ${w.abs.toExponential(2)}, ` +
          `max rel error ${w.rel.toExponential(2)} over ${w.values} values`,
      );
    }
  });
}

/**
 * Forward and gradients of one case: `run` builds the op from named inputs;
 * every input the fixture has a gradient for is differentiated, through
 * `L = sum(run(inputs) * dy)`.
 */
export function checkTorchCase<Attrs>(
  op: string,
  c: TorchCase<Attrs>,
  run: (inputs: Record<string, tf.Tensor>) => tf.Tensor,
  tol: Tolerance,
): Promise<void> {
  const key = `${op} [${tf.getBackend()}]`;
  return expectNoLeaks(async () => {
    const inputs: Record<string, tf.Tensor> = {};
    for (const [name, t] of Object.entries(c.inputs)) {
      inputs[name] = torchTensor(t);
    }
    const dy = torchTensor(c.dy);
    const y = run(inputs);
    expect(y.shape).withContext(`${c.name}: y shape`).toEqual(c.expected.y.shape);
    await expectClose(y, c.expected.y.data, tol, `${c.name}: y`);
    await record(key, y, c.expected.y);

    const names = Object.keys(c.expected.grads);
    const loss = (...xs: tf.Tensor[]) => {
      const args = {...inputs};
      names.forEach((name, i) => (args[name] = xs[i]));
      return tf.sum(tf.mul(run(args), dy));
    };
    const grads = tf.grads(loss)(names.map(name => inputs[name]));
    for (const [i, name] of names.entries()) {
      const expected = c.expected.grads[name];
      expect(grads[i].shape).withContext(`${c.name}: d${name} shape`).toEqual(expected.shape);
      await expectClose(grads[i], expected.data, tol, `${c.name}: d${name}`);
      await record(key, grads[i], expected);
    }
    return [...Object.values(inputs), dy, y, ...grads];
  });
}
