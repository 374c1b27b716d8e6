/**
 * Every spec is written once and run on each backend under test: Node runs
 * `cpu` (and `wasm` once it has kernels), karma runs the browser backends.
 * The list comes from `TFDEFORM_BACKENDS` (Node) or karma's client config.
 */
import * as tf from '@tensorflow/tfjs-core';

import {ready} from '../../src/index';

declare const __karma__: {config: {backends?: string[]}} | undefined;

export function backendsUnderTest(): string[] {
  if (typeof __karma__ !== 'undefined' && __karma__.config.backends) {
    return __karma__.config.backends;
  }
  const fromEnv = typeof process !== 'undefined' ? process.env.TFDEFORM_BACKENDS : undefined;
  return (fromEnv ?? 'cpu')
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
}

/** `describe` on `backend` (active inside), when it is under test. */
export function describeBackend(backend: string, name: string, specs: () => void): void {
  if (!backendsUnderTest().includes(backend)) {
    return;
  }
  describe(`${name} [${backend}]`, () => {
    beforeAll(async () => {
      if (!(await tf.setBackend(backend))) {
        throw new Error(`backend ${backend} failed to initialise`);
      }
      await ready(); // the wasm kernels need our wasm module compiled
    });
    specs();
  });
}

/**
 * `describe` once per backend under test, with that backend active inside.
 * Specs of an op name the kernels they need: backends without them are left
 * out here, and kernel_coverage.spec.ts pins which backends must have which
 * kernels, so a missing kernel fails there instead of going unnoticed.
 */
export function describeAllBackends(name: string, specs: () => void, kernels: string[] = []): void {
  for (const backend of backendsUnderTest()) {
    if (kernels.every(kernel => tf.getKernel(kernel, backend) != null)) {
      describeBackend(backend, name, specs);
    }
  }
}

/**
 * tfjs's IS_TEST kernel leak check misfires inside tfjs-layers' own dense
 * layer on wasm (fusedMatMul's gradient, reproducible without this package).
 * Layer specs that train turn it off for their suite; their explicit tensor
 * and data counts still check for leaks.
 */
export function withoutTfjsKernelLeakCheck(): void {
  let isTest: boolean;
  beforeAll(() => {
    isTest = tf.env().getBool('IS_TEST');
    tf.env().set('IS_TEST', false);
  });
  afterAll(() => tf.env().set('IS_TEST', isTest));
}
