/**
 * onnxruntime-web's DeformConv (wasm execution provider) on the same
 * workloads: the fastest deformable convolution a browser user has today,
 * inference only. The caller passes the `ort` module it loaded (Node or
 * browser build) and the serialized model of each workload.
 */
import type * as Ort from 'onnxruntime-web';

import {DcnWorkload, median, outputSize, Row} from './suite';

/** The ONNX graph of a workload: one DeformConv node, NCHW. */
export function deformConvGraph(w: DcnWorkload) {
  const [ho, wo] = outputSize(w);
  const taps = w.offsetGroups * w.k * w.k;
  const dims = {
    X: [w.N, w.C, w.H, w.W],
    W: [w.Cout, w.C / w.groups, w.k, w.k],
    offset: [w.N, 2 * taps, ho, wo],
    ...(w.mask ? {B: [w.Cout], mask: [w.N, taps, ho, wo]} : {}),
  } as Record<string, number[]>;
  return {
    dims,
    node: {
      opType: 'DeformConv',
      inputs: w.mask ? ['X', 'W', 'offset', 'B', 'mask'] : ['X', 'W', 'offset'],
      outputs: ['Y'],
      attrs: {
        kernel_shape: [w.k, w.k], strides: [w.s, w.s], dilations: [w.d, w.d],
        pads: [w.p, w.p, w.p, w.p], group: w.groups, offset_group: w.offsetGroups,
      },
    },
  };
}

function filled(size: number, lo: number, hi: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({length: size}, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return lo + (hi - lo) * s / 2147483648;
  });
}

const RANGES: Record<string, [number, number]> = {
  X: [-1, 1], W: [-0.1, 0.1], offset: [-2, 2], B: [-0.1, 0.1], mask: [0, 1],
};

export async function benchOrtDeformConv(
    ort: typeof Ort, backend: string, workloads: DcnWorkload[],
    model: (w: DcnWorkload) => Promise<Uint8Array>, note: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const w of workloads) {
    const row: Row = {op: 'deformConv2d', workload: w.name, backend, impl: 'onnxruntime-web',
                      mode: 'forward', ms: null, runs: 0, note};
    try {
      const session = await ort.InferenceSession.create(
          await model(w), {executionProviders: ['wasm'], graphOptimizationLevel: 'all'});
      const feeds: Record<string, Ort.Tensor> = {};
      Object.entries(deformConvGraph(w).dims).forEach(([name, shape], i) => {
        const size = shape.reduce((a, b) => a * b, 1);
        feeds[name] = new ort.Tensor('float32', filled(size, ...RANGES[name], i + 1), shape);
      });
      Object.assign(row, await median(async () => {
        await session.run(feeds);
      }));
      await session.release();
    } catch (e) {
      row.note = `fails: ${String((e as Error).message ?? e).slice(0, 100)}`;
    }
    rows.push(row);
  }
  return rows;
}
