/**
 * Our wasm GEMM (assembly/gemm.ts through wasm_matmul.ts, what the
 * deformable convolutions' driver runs on wasm) against a float64 product
 * computed here: every operand layout the driver uses (plain, `a · bᵀ`,
 * `aᵀ · b`), batches with a per-batch bias, and the edges of its tiles and
 * blocks: rows not a multiple of 4, columns not a multiple of 8, depths
 * past the 256-step block, and a transposed `a` whose depth steps are a page
 * apart (1024 rows or more), which is copied in tiles before use. In the cross-origin isolated page the rows are
 * split over two threads (test/browser/setup.ts). Runs only when `wasm` is a
 * backend under test.
 */
import * as tf from '@tensorflow/tfjs-core';

import {wasmMatMul} from '../../src/kernels/wasm/wasm_matmul';
import {describeBackend} from '../util/backends';
import {expectClose, expectNoLeaks} from '../util/expect';
import {rng, uniform} from '../util/random';

/** `op(a) · op(b) (+ bias)` in float64, `[batch, rows, columns]` flattened. */
function reference(
  a: Float32Array,
  b: Float32Array,
  [batch, rows, depth, columns]: number[],
  transposeA: boolean,
  transposeB: boolean,
  bias: Float32Array | null,
): Float64Array {
  const out = new Float64Array(batch * rows * columns);
  for (let g = 0; g < batch; g++) {
    for (let r = 0; r < rows; r++) {
      for (let n = 0; n < columns; n++) {
        let sum = bias == null ? 0 : bias[g * columns + n];
        for (let k = 0; k < depth; k++) {
          const av = transposeA ? a[(g * depth + k) * rows + r] : a[(g * rows + r) * depth + k];
          const bv = transposeB
            ? b[(g * columns + n) * depth + k]
            : b[(g * depth + k) * columns + n];
          sum += av * bv;
        }
        out[(g * rows + r) * columns + n] = sum;
      }
    }
  }
  return out;
}

const CASES: Array<{shape: number[]; transposeA?: boolean; transposeB?: boolean; bias?: boolean}> =
  [
    {shape: [1, 1, 1, 1]},
    {shape: [1, 13, 7, 9], bias: true},
    {shape: [2, 4, 300, 8], bias: true},
    {shape: [3, 5, 129, 17]},
    {shape: [1, 37, 64, 20], transposeB: true},
    {shape: [2, 18, 150, 3], transposeA: true},
    {shape: [1, 6, 257, 33], transposeA: true, transposeB: true, bias: true},
    // aᵀ copied to scratch: two depth blocks, a last row block of 6, a partial tile.
    {shape: [1, 1030, 300, 9], transposeA: true, bias: true},
    {shape: [2, 1024, 20, 17], transposeA: true, transposeB: true},
    // Rows past one row block (64), each block over every depth block.
    {shape: [2, 150, 260, 12], bias: true},
    {shape: [1, 131, 270, 9], transposeA: true},
  ];

describeBackend('wasm', 'wasm GEMM', () => {
  for (const {shape, transposeA = false, transposeB = false, bias = false} of CASES) {
    const [batch, rows, depth, columns] = shape;
    it(`computes ${transposeA ? 'aᵀ' : 'a'} · ${transposeB ? 'bᵀ' : 'b'}${
      bias ? ' + bias' : ''
    } for [batch, rows, depth, columns] ${shape}`, async () => {
      const random = rng(rows * 1000 + depth);
      const a = uniform(random, transposeA ? [batch, depth, rows] : [batch, rows, depth]);
      const b = uniform(random, transposeB ? [batch, columns, depth] : [batch, depth, columns]);
      const c = bias ? uniform(random, [batch * columns]) : null;
      const expected = reference(
        a.dataSync() as Float32Array,
        b.dataSync() as Float32Array,
        shape,
        transposeA,
        transposeB,
        c == null ? null : (c.dataSync() as Float32Array),
      );
      await expectNoLeaks(async () => {
        const product = tf
          .engine()
          .makeTensorFromTensorInfo(
            wasmMatMul(tf.backend(), a, b, transposeA, transposeB, c ?? undefined),
          );
        expect(product.shape).toEqual([batch, rows, columns]);
        await expectClose(product, Array.from(expected), {
          atol: 1e-5 * Math.sqrt(depth),
          rtol: 1e-5,
        });
        return product;
      });
      tf.dispose([a, b, ...(c ? [c] : [])]);
    });
  }
});
