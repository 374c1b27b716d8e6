/** Every kernel of the package on the wasm backend. */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import {engine, getBackend, KernelConfig} from '@tensorflow/tfjs-core';

import {conv2DBackpropFilterConfig} from './Conv2DBackpropFilter';
import {dcnv3Config} from './DCNv3';
import {compiledModules} from './deform_wasm_module';
import {passThreads, poolStarted} from './pass_pool';
import {dcnv3BackpropInputConfig} from './DCNv3BackpropInput';
import {deformConv2DConfigs} from './DeformConv2D';
import {deformPSRoIPoolConfig} from './DeformPSRoIPool';
import {deformPSRoIPoolBackpropConfig} from './DeformPSRoIPoolBackprop';
import {deformRoIPoolConfig} from './DeformRoIPool';
import {deformRoIPoolBackpropConfig} from './DeformRoIPoolBackprop';
import {depthwiseConv2dNativeBackpropFilterConfig} from './DepthwiseConv2dNativeBackpropFilter';
import {depthwiseConv2dNativeBackpropInputConfig} from './DepthwiseConv2dNativeBackpropInput';
import {involutionConfig} from './Involution';
import {involutionBackpropInputConfig} from './InvolutionBackpropInput';
import {modulatedDeformRoIPoolConfig} from './ModulatedDeformRoIPool';

/**
 * Resolves once tfjs-deform's wasm module has compiled (it starts compiling
 * when the package is imported), and, when the active backend is `wasm` in
 * its threaded build, once our pass threads have started. The package's
 * kernels on the tfjs `wasm` backend need it (its ops, and the
 * depthwise-convolution gradients it adds there): `await tfdeform.ready()`
 * once before running them there (for example right after
 * `await tf.setBackend('wasm')`); a wasm kernel that runs earlier throws.
 * Other backends do not need it. Never rejects: a failed compilation is
 * reported by the kernels that need it.
 */
export async function ready(): Promise<void> {
  await compiledModules();
  if (getBackend() === 'wasm') {
    const wasm = engine().backend as BackendWasm;
    try {
      passThreads(wasm); // starts the pool where there is one
      await poolStarted(wasm);
    } catch {
      // The kernels report what is wrong with the module.
    }
  }
}

export const wasmKernelConfigs: KernelConfig[] = [
  ...deformConv2DConfigs,
  conv2DBackpropFilterConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  dcnv3Config,
  dcnv3BackpropInputConfig,
  involutionConfig,
  involutionBackpropInputConfig,
  deformRoIPoolConfig,
  modulatedDeformRoIPoolConfig,
  deformRoIPoolBackpropConfig,
  deformPSRoIPoolConfig,
  deformPSRoIPoolBackpropConfig,
];
