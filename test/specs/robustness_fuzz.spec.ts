/**
 * Hostile calls of every op on every backend (the README's "Hostile input"
 * table as a test): seeded random shapes and attributes (test/util/robustness.ts),
 * each case valid, with NaN / ±Infinity / 1e30 offsets, masks, kernels, x or
 * RoIs, an empty batch, huge / inverted / non-finite RoIs, an output over
 * DEFORM_MAX_TENSOR_BYTES, or one invalid argument. Every call either throws
 * an Error `<op>: ...` naming an argument or returns the expected shape, with
 * gradients of the inputs' shapes (all finite where hostile values sit only
 * where the op promises zero samples), read with `await t.data()` within a
 * generous time bound; inputs stay unchanged and nothing leaks. On wasm,
 * guard tensors around the inputs and the output keep their values, and
 * running the cases again does not grow the heap.
 */
import * as tf from '@tensorflow/tfjs-core';

import * as tfdeform from '../../src/index';
import {describeAllBackends} from '../util/backends';
import {expectClose, expectNoLeaks} from '../util/expect';
import {bounded, makeCase, OP_NAMES, OPS, runCase, wasmHeapBytes} from '../util/robustness';

const KERNELS = [
  tfdeform.DeformConv2D,
  tfdeform.ModulatedDeformConv2D,
  tfdeform.DeformConv2DBackpropInput,
  tfdeform.DeformConv2DBackpropFilter,
  tfdeform.DCNv3,
  tfdeform.DCNv3BackpropInput,
  tfdeform.Involution,
  tfdeform.InvolutionBackpropInput,
  tfdeform.DeformRoIPool,
  tfdeform.ModulatedDeformRoIPool,
  tfdeform.DeformRoIPoolBackprop,
  tfdeform.DeformPSRoIPool,
  tfdeform.DeformPSRoIPoolBackprop,
];

/**
 * Cases per op: 18 (126 in all, about a second) on cpu and wasm, 3 (21) on webgl and webgpu,
 * where Chromium's GPU is SwiftShader (CPU-emulated) and every new shape
 * compiles new shaders; the first cases dealt are the hostile values, an
 * invalid argument and an empty batch.
 */
function casesPerOp(backend: string): number {
  return backend === 'webgl' || backend === 'webgpu' ? 3 : 18;
}

const SPEC_TIMEOUT_MS = 600000;

/** {@link runCase}, an unexpected exception (a kernel failing, a hang) failing the spec but not the later cases. */
async function runCaseReporting(c: ReturnType<typeof makeCase>, label: string): Promise<void> {
  try {
    await runCase(c, label);
  } catch (e) {
    fail(`${label} ${c.op} ${c.kind}: ${c.what}: threw ${e instanceof Error ? e.stack : e}`);
  }
}

describeAllBackends(
  'robustness fuzz',
  () => {
    for (const op of OP_NAMES) {
      it(
        `${op}: throws naming an argument or returns the right shapes, within bounds, leaking nothing`,
        async () => {
          const count = casesPerOp(tf.getBackend());
          const cases = Array.from({length: count}, (_, i) => makeCase(op, i));
          for (let i = 0; i < count; i++) await runCaseReporting(cases[i], `case ${i}`);
          // wasm: the same calls again must not grow the heap (the first pass sized it).
          const heap = wasmHeapBytes();
          if (heap != null) {
            for (let i = 0; i < count; i++) await runCaseReporting(cases[i], `case ${i} (again)`);
            expect(wasmHeapBytes()).withContext('wasm heap bytes after a second pass').toBe(heap);
          }
        },
        SPEC_TIMEOUT_MS,
      );
    }

    it(
      'rejects an output over the default DEFORM_MAX_TENSOR_BYTES before allocating, and keeps working',
      async () => {
        // x [1, 1024, 1024, 1] by a [3, 3, 1, 4096] filter, pad 1: a 16 GiB output. The
        // inputs are made from typed arrays, so on the GPUs they stay on the host.
        const heap = wasmHeapBytes();
        const heapAfter: Array<number | null> = [];
        for (let pass = 0; pass < (heap == null ? 1 : 2); pass++) {
          await expectNoLeaks(async () => {
            const x = tf.tensor4d(new Float32Array(1024 * 1024), [1, 1024, 1024, 1]);
            const filter = tf.tensor4d(new Float32Array(9 * 4096), [3, 3, 1, 4096]);
            const offset = tf.tensor4d(new Float32Array(1024 * 1024 * 18), [1, 1024, 1024, 18]);
            expect(() => tfdeform.deformConv2d({x, filter, offset, pad: 1})).toThrowError(
              /^deformConv2d: the output would be \[1,1024,1024,4096\], 16\.0 GiB \(\d+ bytes\), over the 2\.0 GiB .*DEFORM_MAX_TENSOR_BYTES/,
            );
            tf.dispose([x, filter, offset]);
            // The backend still works: zero offsets make it a plain convolution.
            const small = tf.tensor4d(
              Float32Array.from({length: 32}, (_, i) => i / 7),
              [1, 4, 4, 2],
            );
            const f = tf.tensor4d(
              Float32Array.from({length: 54}, (_, i) => (i % 5) - 2),
              [3, 3, 2, 3],
            );
            const zero = tf.zeros([1, 4, 4, 18]);
            const y = tfdeform.deformConv2d({x: small, filter: f, offset: zero, pad: 1});
            const expected = tf.conv2d(small, f, 1, 'same');
            await expectClose(y, expected, {atol: 1e-4, rtol: 1e-4});
            return [small, f, zero, y, expected];
          });
          // The first pass may grow the heap for the 72 MiB offset; the second must not.
          heapAfter.push(wasmHeapBytes());
        }
        if (heap != null) {
          expect(heapAfter[1]).withContext('wasm heap after the second pass').toBe(heapAfter[0]);
        }
      },
      SPEC_TIMEOUT_MS,
    );

    it('rejects a RoI batch index outside [0, N), naming the RoI', () => {
      for (const op of ['deformRoiPool', 'modulatedDeformRoiPool', 'deformPsRoiPool'] as const) {
        for (const index of [2, -1, NaN, 2.5, 1e9]) {
          const tensors = tf.memory().numTensors;
          const x = tf.ones([2, 4, 4, 4]);
          const rois = tf.tensor2d([
            [0, 0, 0, 2, 2],
            [index, 0, 0, 3, 3],
          ]);
          const bins = tf.zeros([2, 2, 2, 1]);
          const offset = tf.zeros([2, 2, 2, 2]);
          const args = {x, rois, offset, mask: bins, outputSize: 2, outputDim: 1, groupSize: 2};
          expect(() => OPS[op](args)).toThrowError(
            new RegExp(`^${op}: RoI 1 has batch index ${index}, outside \\[0, 2\\)`),
          );
          tf.dispose([x, rois, bins, offset]);
          expect(tf.memory().numTensors).withContext(`${op} ${index}: tensors`).toBe(tensors);
        }
      }
    });

    it("pools 0 for a RoI with an infinite corner, promptly (the lead's repro)", async () => {
      await expectNoLeaks(async () => {
        const x = tf.ones([1, 5, 5, 2]);
        const rois = tf.tensor2d([[0, 0, 0, Infinity, 3]]);
        const y = tfdeform.deformRoiPool({x, rois, outputSize: 2});
        expect(y.shape).toEqual([1, 2, 2, 2]);
        const values = await bounded('deformRoiPool of an infinite RoI', () => y.data());
        expect(Array.from(values)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
        return [x, rois, y];
      });
    });
  },
  KERNELS,
);
