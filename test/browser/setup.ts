/**
 * Browser test environment, bundled ahead of the specs: tfjs core with its
 * gradients, every backend the package targets, and the package itself.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import '../../src/index';

import * as tf from '@tensorflow/tfjs-core';
import {setWasmPaths} from '@tensorflow/tfjs-backend-wasm';
import {WASM_SPLIT_WORK, WASM_THREADS} from '../../src/index';

// karma serves the tfjs wasm binaries under /base (see karma.conf.js).
setWasmPaths('/base/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
// Cross-origin isolated, tfjs runs its threaded build: our passes on two threads
// (tfjs keeps its own at its default, half the cores: 1 here), every pass split,
// however small, so every spec runs the split passes.
if (globalThis.crossOriginIsolated) {
  tf.env().set(WASM_THREADS, 2);
  tf.env().set(WASM_SPLIT_WORK, 0);
}
// Makes the engine check every kernel for leaked backend data.
tf.env().set('IS_TEST', true);
// As tfjs's own CI: small stock ops would otherwise run on the CPU, untested on the GPU.
tf.env().set('WEBGPU_CPU_FORWARD', false);
