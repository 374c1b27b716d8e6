/**
 * Every spec is written once and run on each backend under test: Node runs
 * `cpu` (and `wasm` once it has kernels), karma runs the browser backends.
 * The list comes from `TFDEFORM_BACKENDS` (Node) or karma's client config.
 */
import * as tf from '@tensorflow/tfjs-core';

declare const __karma__: {config: {backends?: string[]}}|undefined;

export function backendsUnderTest(): string[] {
  if (typeof __karma__ !== 'undefined' && __karma__.config.backends) {
    return __karma__.config.backends;
  }
  const fromEnv = typeof process !== 'undefined' ?
      process.env.TFDEFORM_BACKENDS :
      undefined;
  return (fromEnv ?? 'cpu').split(',').map(s => s.trim()).filter(Boolean);
}

/** `describe` once per backend, with that backend active inside. */
export function describeAllBackends(name: string, specs: () => void): void {
  for (const backend of backendsUnderTest()) {
    describe(`${name} [${backend}]`, () => {
      beforeAll(async () => {
        if (!(await tf.setBackend(backend))) {
          throw new Error(`backend ${backend} failed to initialise`);
        }
      });
      specs();
    });
  }
}
