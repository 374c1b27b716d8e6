/**
 * Soak: many forward + backward calls of every op on tiny shapes, and
 * training steps of every layer in a model, must hold steady: the engine's
 * tensor count, the backend's data count (and on wasm the heap's size) are
 * the same after the last call as after an early one (once caches, optimizer
 * slots and the heap have settled).
 *
 * Calls per op: 1000 on cpu and wasm (checked between the 100th and the
 * 1000th). Fewer where Chromium's GPU is SwiftShader (CPU-emulated), so a
 * backend's soak stays well under a minute: a tiny call runs a dozen shader
 * programs there, ~5 ms on webgl and ~50 ms on webgpu (measured), so 1000
 * calls of 7 ops would take minutes: webgl 200 calls (checked between the
 * 40th and the 200th), webgpu 100 (between the 20th and the 100th).
 * Training: 50 steps of each layer (checked between the 10th and the 50th),
 * 25 on webgpu (between the 5th and the 25th; a DCNv3 step takes ~0.45 s
 * there).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import * as tfdeform from '../../src/index';
import {describeAllBackends, withoutTfjsKernelLeakCheck} from '../util/backends';
import {rng, uniform} from '../util/random';
import {wasmHeapBytes} from '../util/robustness';

const SPEC_TIMEOUT_MS = 600000;

/** [calls, the call after which the counts are taken] for this backend (see the file comment). */
function soakLength(backend: string): [number, number] {
  return backend === 'webgpu' ? [100, 20] : backend === 'webgl' ? [200, 40] : [1000, 100];
}

/** [training steps, the step after which the counts are taken] for this backend. */
function trainingLength(backend: string): [number, number] {
  return backend === 'webgpu' ? [25, 5] : [50, 10];
}

interface Counts {
  tensors: number;
  dataIds: number;
  heapBytes: number | null;
}

function counts(): Counts {
  return {
    tensors: tf.memory().numTensors,
    dataIds: tf.engine().backend.numDataIds(),
    heapBytes: wasmHeapBytes(),
  };
}

function expectSame(after: Counts, before: Counts, what: string): void {
  expect(after.tensors).withContext(`${what}: tensors`).toBe(before.tensors);
  expect(after.dataIds).withContext(`${what}: backend data`).toBe(before.dataIds);
  expect(after.heapBytes).withContext(`${what}: wasm heap bytes`).toBe(before.heapBytes);
}

/**
 * Runs `step` `total` times (every `settle`th result read with `await
 * t.data()`, so GPU work completes; the others disposed unread) and compares
 * the counts after call `settle` with those after the last.
 */
async function soak(
  what: string,
  step: () => tf.Tensor[],
  total: number,
  settle: number,
): Promise<void> {
  let settled: Counts | undefined;
  for (let i = 1; i <= total; i++) {
    const results = step();
    if (i % settle === 0 || i === total) {
      await Promise.all(results.map(t => t.data()));
    }
    tf.dispose(results);
    if (i === settle) settled = counts();
  }
  expectSame(counts(), settled!, `${what}, call ${total} against call ${settle}`);
}

type Inputs = Record<string, tf.Tensor>;

/** Each op on tiny inputs: the op's arguments, the differentiable ones, the call. */
const OPS: Array<{
  name: string;
  inputs: () => Inputs;
  diff: string[];
  call: (a: Inputs) => tf.Tensor;
}> = [
  {
    name: 'deformConv2d',
    inputs: () => ({
      x: uniform(rng(1), [1, 4, 4, 2]),
      filter: uniform(rng(2), [3, 3, 2, 2]),
      offset: uniform(rng(3), [1, 4, 4, 18], -2, 2),
      bias: uniform(rng(4), [2]),
    }),
    diff: ['x', 'filter', 'offset', 'bias'],
    call: a =>
      tfdeform.deformConv2d({x: a.x, filter: a.filter, offset: a.offset, bias: a.bias, pad: 1}),
  },
  {
    name: 'modulatedDeformConv2d',
    inputs: () => ({
      x: uniform(rng(5), [1, 4, 4, 2]),
      filter: uniform(rng(6), [3, 3, 2, 2]),
      offset: uniform(rng(7), [1, 4, 4, 18], -2, 2),
      mask: uniform(rng(8), [1, 4, 4, 9], 0, 1),
      bias: uniform(rng(9), [2]),
    }),
    diff: ['x', 'filter', 'offset', 'mask', 'bias'],
    call: a =>
      tfdeform.modulatedDeformConv2d({
        x: a.x,
        filter: a.filter,
        offset: a.offset,
        mask: a.mask,
        bias: a.bias,
        pad: 1,
      }),
  },
  {
    name: 'dcnv3',
    inputs: () => ({
      x: uniform(rng(10), [1, 4, 4, 2]),
      offset: uniform(rng(11), [1, 4, 4, 36], -2, 2),
      mask: uniform(rng(12), [1, 4, 4, 18], 0, 1),
    }),
    diff: ['x', 'offset', 'mask'],
    call: a =>
      tfdeform.dcnv3({x: a.x, offset: a.offset, mask: a.mask, kernelSize: 3, pad: 1, groups: 2}),
  },
  {
    name: 'involution',
    inputs: () => ({
      x: uniform(rng(13), [1, 4, 4, 2]),
      kernel: uniform(rng(14), [1, 4, 4, 9]),
    }),
    diff: ['x', 'kernel'],
    call: a => tfdeform.involution({x: a.x, kernel: a.kernel, kernelSize: 3, groups: 1}),
  },
  {
    name: 'deformRoiPool',
    inputs: () => ({
      x: uniform(rng(15), [1, 4, 4, 2]),
      rois: tf.tensor2d([
        [0, 0.5, 0.5, 3, 3],
        [0, 1, 0, 3.5, 2],
      ]),
      offset: uniform(rng(16), [2, 2, 2, 2]),
    }),
    diff: ['x', 'offset'],
    call: a => tfdeform.deformRoiPool({x: a.x, rois: a.rois, offset: a.offset, outputSize: 2}),
  },
  {
    name: 'modulatedDeformRoiPool',
    inputs: () => ({
      x: uniform(rng(17), [1, 4, 4, 2]),
      rois: tf.tensor2d([
        [0, 0.5, 0.5, 3, 3],
        [0, 1, 0, 3.5, 2],
      ]),
      offset: uniform(rng(18), [2, 2, 2, 2]),
      mask: uniform(rng(19), [2, 2, 2, 1], 0, 1),
    }),
    diff: ['x', 'offset', 'mask'],
    call: a =>
      tfdeform.modulatedDeformRoiPool({
        x: a.x,
        rois: a.rois,
        offset: a.offset,
        mask: a.mask,
        outputSize: 2,
        samplingRatio: 2,
      }),
  },
  {
    name: 'deformPsRoiPool',
    inputs: () => ({
      x: uniform(rng(20), [1, 4, 4, 2]),
      rois: tf.tensor2d([
        [0, 0.5, 0.5, 3, 3],
        [0, 1, 0, 3.5, 2],
      ]),
      offset: uniform(rng(21), [2, 2, 2, 2]),
    }),
    diff: ['x', 'offset'],
    call: a =>
      tfdeform.deformPsRoiPool({
        x: a.x,
        rois: a.rois,
        offset: a.offset,
        outputDim: 2,
        groupSize: 1,
        outputSize: 2,
        transStd: 0.1,
      }),
  },
];

const OP_KERNELS = [
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

describeAllBackends(
  'robustness soak: ops',
  () => {
    for (const op of OPS) {
      it(
        `${op.name}: forward + backward calls hold tensors, backend data and the wasm heap steady`,
        async () => {
          const [total, settle] = soakLength(tf.getBackend());
          const before = counts();
          const inputs = op.inputs();
          const grad = tf.grads((...ts: tf.Tensor[]) =>
            tf.sum(op.call({...inputs, ...Object.fromEntries(op.diff.map((k, i) => [k, ts[i]]))})),
          );
          await soak(
            op.name,
            () => {
              const y = op.call(inputs);
              return [y, ...grad(op.diff.map(k => inputs[k]))];
            },
            total,
            settle,
          );
          tf.dispose(Object.values(inputs));
          const after = counts();
          expect(after.tensors)
            .withContext('tensors after disposing the inputs')
            .toBe(before.tensors);
          expect(after.dataIds)
            .withContext('backend data after disposing the inputs')
            .toBe(before.dataIds);
        },
        SPEC_TIMEOUT_MS,
      );
    }
  },
  OP_KERNELS,
);

/** A layer in a model with a dense head, and a batch to train it on. */
const LAYER_MODELS: Array<{
  name: string;
  build: () => {model: tfl.LayersModel; xs: tf.Tensor | tf.Tensor[]; ys: tf.Tensor};
}> = [
  {
    name: 'DeformConv2D',
    build: () => ({
      model: headed(
        tfdeform.layers.deformConv2d({
          inputShape: [4, 4, 2],
          filters: 2,
          kernelSize: 3,
          padding: 'same',
        }),
      ),
      xs: uniform(rng(30), [2, 4, 4, 2]),
      ys: uniform(rng(31), [2, 1]),
    }),
  },
  {
    name: 'ModulatedDeformConv2D',
    build: () => ({
      model: headed(
        tfdeform.layers.modulatedDeformConv2d({
          inputShape: [4, 4, 2],
          filters: 2,
          kernelSize: 3,
          padding: 'same',
          offsetGroups: 2,
        }),
      ),
      xs: uniform(rng(32), [2, 4, 4, 2]),
      ys: uniform(rng(33), [2, 1]),
    }),
  },
  {
    name: 'DCNv3',
    build: () => ({
      model: headed(tfdeform.layers.dcnv3({inputShape: [4, 4, 4], groups: 2})),
      xs: uniform(rng(34), [2, 4, 4, 4]),
      ys: uniform(rng(35), [2, 1]),
    }),
  },
  {
    name: 'Involution',
    build: () => ({
      model: headed(tfdeform.layers.involution({inputShape: [4, 4, 16], kernelSize: 3})),
      xs: uniform(rng(36), [2, 4, 4, 16]),
      ys: uniform(rng(37), [2, 1]),
    }),
  },
  {
    name: 'DeformRoIPool',
    build: () => {
      // Two inputs [features, rois]: as test/specs/layers_deform_roi_pool.spec.ts.
      const features = tfl.input({shape: [4, 4, 2]});
      const boxes = tfl.input({batchShape: [null, 5]});
      const pooled = tfdeform.layers
        .deformRoiPool({outputSize: 2, samplingRatio: 2, modulated: true, deformFcChannels: 8})
        .apply([features, boxes]) as tfl.SymbolicTensor;
      const out = tfl.layers
        .dense({units: 1})
        .apply(tfl.layers.flatten().apply(pooled)) as tfl.SymbolicTensor;
      return {
        model: tfl.model({inputs: [features, boxes], outputs: out}),
        xs: [
          uniform(rng(38), [2, 4, 4, 2]),
          tf.tensor2d([
            [0, 0.5, 0.5, 3, 3],
            [1, 1, 0, 3.5, 2],
          ]),
        ],
        ys: uniform(rng(39), [2, 1]),
      };
    },
  },
];

function headed(layer: tfl.layers.Layer): tfl.Sequential {
  const model = tfl.sequential();
  model.add(layer);
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({units: 1}));
  return model;
}

describeAllBackends(
  'robustness soak: layers',
  () => {
    withoutTfjsKernelLeakCheck();

    for (const {name, build} of LAYER_MODELS) {
      it(
        `${name}: training steps hold tensors, backend data and the wasm heap steady`,
        async () => {
          const [steps, settle] = trainingLength(tf.getBackend());
          const before = counts();
          const {model, xs, ys} = build();
          const optimizer = tf.train.adam(0.01);
          model.compile({optimizer, loss: 'meanSquaredError'});
          let settled: Counts | undefined;
          const losses: number[] = [];
          for (let step = 1; step <= steps; step++) {
            // trainOnBatch reads the loss back (await), so GPU work completes every step.
            losses.push((await model.trainOnBatch(xs, ys)) as number);
            if (step === settle) settled = counts();
          }
          expectSame(counts(), settled!, `${name}, step ${steps} against step ${settle}`);
          expect(losses.every(Number.isFinite)).withContext(`${name}: finite losses`).toBeTrue();
          model.dispose();
          optimizer.dispose(); // its slots (a model disposes only an optimizer it made)
          tf.dispose([xs, ys]);
          expect(tf.memory().numTensors)
            .withContext('tensors after disposing')
            .toBe(before.tensors);
        },
        SPEC_TIMEOUT_MS,
      );
    }
  },
  [...OP_KERNELS, 'DepthwiseConv2dNativeBackpropFilter'],
);
