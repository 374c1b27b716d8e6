/**
 * Where the wasm deformable convolution's time goes: `npx tsx
 * bench/profile_wasm_dcn.ts` times each pass of the driver (im2col, the
 * input gradients' fused walk (fusedInputGrads: coordGrad, col2im and the
 * columns), and the GEMMs by operand layout: `mm` = cols · W, `mmt` =
 * dy · Wᵀ, `mmT` = colsᵀ · dy) on the bench workloads, forward and forward +
 * backward, in Node on tfjs's wasm backend (one thread), by wrapping the
 * backend's sampling passes. "other" is the rest of the call (tfjs's engine,
 * reshapes, allocation, reading the results). Means of 10 calls after 2
 * warm-up calls; the machine's noise applies.
 */
import '@tensorflow/tfjs-layers'; // registers tfjs-core's gradients in Node
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

import {ready} from '../src/index';
import type {DeformConvSampling} from '../src/kernels/deform_conv_sampling';
import {wasmSampling} from '../src/kernels/wasm/deform_conv_sampling_wasm';
import configs from './configs.json';
import {dcnWorkload} from './dcn_cases';

const CALLS = 10;
const spent: Record<string, number> = {};

/** Wraps each pass of `sampling` so that its time adds to `spent`. */
function timePasses(sampling: DeformConvSampling): void {
  const passes = sampling as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of ['im2col', 'fusedInputGrads', 'matMul']) {
    const pass = passes[name];
    passes[name] = (...args: unknown[]) => {
      const t0 = performance.now();
      const result = pass(...args);
      const key = name === 'matMul' ? `mm${args[3] ? 'T' : ''}${args[4] ? 't' : ''}` : name;
      spent[key] = (spent[key] ?? 0) + performance.now() - t0;
      return result;
    };
  }
}

async function main() {
  await tf.setBackend('wasm');
  await ready();
  timePasses(wasmSampling);
  for (const w of configs.deformConv2d) {
    const {inputs, ours: op} = dcnWorkload(w);
    const [x, filter, offset, mask] = inputs;
    const gradients = tf.grads((...t: tf.Tensor[]) => op(t[0], t[1], t[2], t[3]));
    const modes: Array<[string, () => tf.Tensor[]]> = [
      ['forward', () => [op(x, filter, offset, mask)]],
      ['forward+backward', () => gradients(inputs)],
    ];
    for (const [mode, run] of modes) {
      let total = 0;
      for (let call = -2; call < CALLS; call++) {
        if (call === 0) {
          Object.keys(spent).forEach(k => delete spent[k]);
          total = 0;
        }
        const t0 = performance.now();
        const out = run();
        await Promise.all(out.map(t => t.data()));
        total += performance.now() - t0;
        tf.dispose(out);
      }
      const passes = Object.entries(spent).map(([k, v]) => `${k} ${(v / CALLS).toFixed(2)}`);
      const other = total - Object.values(spent).reduce((a, b) => a + b, 0);
      console.log(
        `${w.name} ${mode}: ${(total / CALLS).toFixed(2)} ms = ${passes.join(' + ')} + other ${(
          other / CALLS
        ).toFixed(2)}`,
      );
    }
    tf.dispose(inputs);
  }
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
