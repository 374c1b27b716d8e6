/**
 * Every spec is written once and run on each backend under test: Node runs
 * `cpu` (and `wasm` once it has kernels), karma runs the browser backends.
 * The list comes from `TFDEFORM_BACKENDS` (Node) or karma's client config.
 */
import * as tf from '@tensorflow/tfjs-core';

import {ready} from '../../src/index';
import {cpuKernelConfigs} from '../../src/kernels/cpu/index';
import {wasmKernelConfigs} from '../../src/kernels/wasm/index';
import {webglKernelConfigs} from '../../src/kernels/webgl/index';
import {webgpuKernelConfigs} from '../../src/kernels/webgpu/index';

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
    if (backend === 'webgpu') {
      surfaceGpuErrors();
    }
    specs();
  });
}

/** The webgpu backend's device (the types of @webgpu/types are not a dependency here). */
function gpuDevice(): EventTarget & {queue: {onSubmittedWorkDone(): Promise<void>}} {
  return (tf.backend() as unknown as {device: ReturnType<typeof gpuDevice>}).device;
}

/** GPU errors the webgpu device reported, not yet blamed on a spec. */
const gpuErrors: string[] = [];
let listeningDevice: object | null = null;

/**
 * A webgpu program that fails validation does not throw: the device reports
 * it asynchronously and drops the batched command buffer, so results stay
 * zero or stale. Specs on webgpu submit every dispatch at once (errors then
 * belong to the spec that caused them) and fail on any error the device
 * reported while they ran.
 */
function surfaceGpuErrors(): void {
  beforeAll(() => {
    tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', 1);
    const device = gpuDevice();
    if (device !== listeningDevice) {
      listeningDevice = device;
      device.addEventListener('uncapturederror', event => {
        gpuErrors.push(String((event as Event & {error: {message: string}}).error.message));
      });
    }
  });
  afterEach(async () => {
    await gpuDevice().queue.onSubmittedWorkDone(); // the device's reports of the spec's work
    const errors = gpuErrors.splice(0);
    expect(errors).withContext('webgpu device errors').toEqual([]);
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

/**
 * `describe` on each backend under test but cpu, for specs whose oracle is
 * the cpu backend's results computed in the same run ({@link onCpu}): on cpu
 * such a comparison would be the backend against itself, so it is left out
 * there, and the spec gives the cpu an oracle of its own (the reference
 * loops called directly, a chunked against an unchunked run, finite
 * differences) in a `describeBackend('cpu', ...)` beside it. `kernels` as
 * for {@link describeAllBackends}, needed on the backend and on cpu.
 */
export function describeAgainstCpu(name: string, specs: () => void, kernels: string[] = []): void {
  for (const backend of backendsUnderTest()) {
    if (
      backend !== 'cpu' &&
      kernels.every(k => tf.getKernel(k, backend) != null && tf.getKernel(k, 'cpu') != null)
    ) {
      describeBackend(backend, `${name} (against cpu)`, specs);
    }
  }
}

/**
 * Runs `fn` on the cpu backend and switches back to the active one. `fn`
 * should return plain values (arrays), not tensors, which would live on cpu.
 */
export async function onCpu<T>(fn: () => T): Promise<T> {
  const backend = tf.getBackend();
  if (!(await tf.setBackend('cpu'))) {
    throw new Error('the cpu backend failed to initialise');
  }
  try {
    return fn();
  } finally {
    await tf.setBackend(backend);
  }
}

/** The kernel configs of this package, whatever the backend (what src/register.ts registers). */
const packageKernelConfigs: ReadonlySet<tf.KernelConfig> = new Set([
  ...cpuKernelConfigs,
  ...webglKernelConfigs,
  ...wasmKernelConfigs,
  ...webgpuKernelConfigs,
]);

/**
 * Whether the kernel registered as `kernelName` on `backend` is this
 * package's (rather than tfjs's own, or none): the package registers a
 * kernel only where none is, so the registry's entry tells its provenance.
 */
export function isPackageKernel(kernelName: string, backend: string): boolean {
  const config = tf.getKernel(kernelName, backend);
  return config != null && packageKernelConfigs.has(config);
}

/**
 * `describe` on each backend under test where this package provides every
 * one of `kernels`: for specs of tfjs kernels the package fills in on some
 * backends (kernel_coverage.spec.ts pins which), which would otherwise test
 * tfjs's own kernels elsewhere.
 */
export function describePackageKernels(name: string, kernels: string[], specs: () => void): void {
  for (const backend of backendsUnderTest()) {
    if (kernels.every(kernel => isPackageKernel(kernel, backend))) {
      describeBackend(backend, name, specs);
    }
  }
}
