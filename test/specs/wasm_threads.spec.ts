/**
 * Our wasm passes on threads of their own (pass_pool.ts), in the cross-origin
 * isolated page where tfjs runs its threaded build and `DEFORM_WASM_THREADS`
 * is 2 and every pass is split however small (test/browser/setup.ts): the pool
 * starts, and every op whose passes it splits gives bit-identical results on 2
 * threads and on 1. Elsewhere (Node, a plain page) there is no pool.
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

import {
  dcnv3,
  deformPsRoiPool,
  involution,
  modulatedDeformConv2d,
  modulatedDeformRoiPool,
  ready,
  WASM_THREADS,
} from '../../src/index';
import {passThreads} from '../../src/kernels/wasm/pass_pool';
import {describeBackend} from '../util/backends';
import {expectClose} from '../util/expect';
import {nonIntegerOffsets, rng, uniform} from '../util/random';

const isolated = typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated;

/** Every op with a pass the pool splits, forward and gradients, as plain arrays. */
async function results(): Promise<Float32Array[]> {
  const random = rng(3);
  const x = uniform(random, [2, 9, 8, 16]);
  const filter = uniform(random, [3, 3, 16, 8]);
  const offset = nonIntegerOffsets(random, [2, 9, 8, 2 * 2 * 9]);
  const mask = uniform(random, [2, 9, 8, 2 * 9], 0, 1);
  const dcn = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
    modulatedDeformConv2d({x: a, filter: b, offset: c, mask: d, pad: 1, offsetGroups: 2});
  const v3Offset = nonIntegerOffsets(random, [2, 9, 8, 4 * 9 * 2]);
  const v3Mask = uniform(random, [2, 9, 8, 4 * 9], 0, 1);
  const kernel = uniform(random, [2, 9, 8, 2 * 9]);
  const inv = (a: tf.Tensor, k: tf.Tensor) =>
    involution({x: a, kernel: k, kernelSize: 3, groups: 2});
  const rois = tf.tensor2d([
    [0, 0.5, 1, 6, 7],
    [1, 2, 0, 7.5, 8],
    [1, 1, 1, 3, 4],
  ]);
  const roiOffset = uniform(random, [3, 2, 2, 2], -0.5, 0.5);
  const roiMask = uniform(random, [3, 2, 2, 1], 0, 1);
  const psOffset = uniform(random, [3, 2, 2, 2], -0.5, 0.5);
  const psRoiPool = (a: tf.Tensor, o: tf.Tensor) =>
    deformPsRoiPool({
      x: a,
      rois,
      offset: o,
      outputDim: 4,
      groupSize: 2,
      outputSize: 2,
      partSize: 2,
    });
  const depthwise = uniform(random, [3, 3, 16, 1]);
  // Two groups: each thread's rows are a part of every group's block of the columns.
  const groupedFilter = uniform(random, [3, 3, 8, 8]);
  const grouped = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
    modulatedDeformConv2d({x: a, filter: b, offset: c, mask, pad: 1, groups: 2, offsetGroups: 2});
  // One image: the input gradient's scatter then splits by channels, apart from its walk.
  const [x1, offset1, mask1] = [x, offset, mask].map(t => tf.slice(t, 0, 1));
  const outputs = [
    ...tf.grads(dcn)([x, filter, offset, mask]),
    ...tf.grads(dcn)([x1, filter, offset1, mask1]),
    dcn(x, filter, offset, mask),
    ...tf.grads(grouped)([x, groupedFilter, offset]),
    grouped(x, groupedFilter, offset),
    dcnv3({x, offset: v3Offset, mask: v3Mask, kernelSize: 3, pad: 1, groups: 4}),
    ...tf.grads((a: tf.Tensor, o: tf.Tensor, m: tf.Tensor) =>
      dcnv3({x: a, offset: o, mask: m, kernelSize: 3, pad: 1, groups: 4}),
    )([x, v3Offset, v3Mask]),
    inv(x, kernel),
    ...tf.grads(inv)([x, kernel]),
    ...tf.grads((a: tf.Tensor, f: tf.Tensor) =>
      tf.depthwiseConv2d(a as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'),
    )([x, depthwise]),
    modulatedDeformRoiPool({x, rois, offset: roiOffset, mask: roiMask, outputSize: 2}),
    ...tf.grads((a: tf.Tensor, o: tf.Tensor) =>
      modulatedDeformRoiPool({x: a, rois, offset: o, mask: roiMask, outputSize: 2}),
    )([x, roiOffset]),
    psRoiPool(x, psOffset),
    ...tf.grads(psRoiPool)([x, psOffset]),
  ];
  const values = await Promise.all(outputs.map(t => t.data() as Promise<Float32Array>));
  tf.dispose([x, filter, offset, mask, v3Offset, v3Mask, kernel, rois, roiOffset, roiMask]);
  tf.dispose([psOffset, depthwise, groupedFilter, x1, offset1, mask1, ...outputs]);
  return values;
}

describeBackend('wasm', 'wasm passes on threads of their own', () => {
  if (isolated) {
    it("start on tfjs's threaded build and give the single-threaded results bit for bit", async () => {
      const wasm = tf.backend() as BackendWasm;
      await ready(); // waits for the pool to start
      expect(passThreads(wasm)).withContext('threads').toBe(2);
      const threaded = await results();
      tf.env().set(WASM_THREADS, 1);
      try {
        expect(passThreads(wasm)).toBe(1);
        const single = await results();
        threaded.forEach((values, i) =>
          expectClose(values, single[i], {atol: 0, rtol: 0}, `output ${i}`),
        );
      } finally {
        tf.env().set(WASM_THREADS, 2);
      }
    });
  } else {
    it('run on one thread outside a cross-origin isolated page', () => {
      expect(passThreads(tf.backend() as BackendWasm)).toBe(1);
    });
  }
});
