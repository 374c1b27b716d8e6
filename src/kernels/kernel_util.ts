/**
 * Typed kernel functions and running a backend's own kernels inside ours:
 * what every backend folder uses, written once.
 */
import {
  getBackend,
  getKernel,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';

import type {KernelTypes} from '../kernel_names';

/** What a kernel function receives: inputs and attributes as typed in kernel_names.ts. */
export interface KernelArgs<Inputs, Attrs, B extends KernelBackend> {
  inputs: Inputs;
  backend: B;
  attrs: Attrs;
}

/** A kernel function of one of this package's kernels, typed by its name. */
export type TypedKernelFunc<K extends keyof KernelTypes, B extends KernelBackend> = (
  args: KernelArgs<KernelTypes[K]['inputs'], KernelTypes[K]['attrs'], B>,
) => TensorInfo | TensorInfo[];

/**
 * The KernelConfig of a typed kernel function. The one cast of the package:
 * the engine hands a kernel exactly the inputs and attributes its op passed
 * to `runKernel`, which kernel_names.ts types.
 */
export function kernelConfig<Inputs, Attrs, B extends KernelBackend>(
  kernelName: string,
  backendName: string,
  kernelFunc: (args: KernelArgs<Inputs, Attrs, B>) => TensorInfo | TensorInfo[],
): KernelConfig {
  return {kernelName, backendName, kernelFunc: kernelFunc as unknown as KernelFunc};
}

/** {@link kernelConfig} for this package's kernels, checked against kernel_names.ts. */
export function typedKernelConfig<K extends keyof KernelTypes, B extends KernelBackend>(
  kernelName: K,
  backendName: string,
  kernelFunc: TypedKernelFunc<K, B>,
): KernelConfig {
  return kernelConfig(kernelName, backendName, kernelFunc);
}

/**
 * Runs a kernel of the active backend (tfjs's own, e.g. Reshape or
 * BatchMatMul) inside one of ours, on backend tensors. The result is the
 * caller's to dispose.
 */
export function runBackendKernel(
  backend: KernelBackend,
  kernelName: string,
  inputs: NamedTensorInfoMap | TensorInfo[],
  attrs: NamedAttrMap = {},
): TensorInfo {
  const kernel = getKernel(kernelName, getBackend());
  if (kernel == null) {
    throw new Error(
      `tfjs-deform: the ${getBackend()} backend has no '${kernelName}' kernel, which this package needs`,
    );
  }
  return kernel.kernelFunc({inputs: inputs as NamedTensorInfoMap, backend, attrs}) as TensorInfo;
}
