/**
 * The tfjs backends the page offers. A backend is usable for this demo when
 * tfjs-deform registered its training kernels for it (forward and both
 * backward kernels), so a backend whose kernels land later appears without a
 * change here; WebGPU is listed only where the browser has it.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';

import {setWasmPaths} from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

import {
  DeformConv2DBackpropFilter,
  DeformConv2DBackpropInput,
  ModulatedDeformConv2D,
  ready,
} from '../../src/index';

// tfjs's wasm binaries, served by the demo server from node_modules.
setWasmPaths('/tfjs-wasm/');

export const DEFAULT_BACKEND = 'webgl';

export interface BackendChoice {
  name: string;
  usable: boolean;
  label: string;
}

const TRAINING_KERNELS = [
  ModulatedDeformConv2D,
  DeformConv2DBackpropInput,
  DeformConv2DBackpropFilter,
];

export function backendChoices(): BackendChoice[] {
  const names = ['webgl', 'wasm', 'cpu', ...('gpu' in navigator ? ['webgpu'] : [])];
  return names.map(name => {
    const usable = TRAINING_KERNELS.every(kernel => tf.getKernel(kernel, name) != null);
    return {name, usable, label: usable ? name : `${name} (not in tfjs-deform yet)`};
  });
}

export async function useBackend(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) {
    throw new Error(`the ${name} backend does not start in this browser`);
  }
  await ready(); // tfjs-deform's own wasm module, for the wasm backend
}
