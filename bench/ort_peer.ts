/**
 * onnxruntime-web (wasm execution provider) on the same workloads: DeformConv
 * for deformConv2d, RoiAlign for deformRoiPool, inference only. The caller
 * passes the `ort` module it loaded (Node or browser build) and a way to get
 * each serialized model (see ort_models.ts).
 */
import type * as Ort from 'onnxruntime-web';

import configs from './configs.json';
import {DcnWorkload, dcnOutputSize} from './dcn_cases';
import {roiBoxes, RoiWorkload} from './roi_pool_cases';
import {median, Row, timeRow} from './timing';

/** A graph input: its shape and how to fill it. */
export interface Feed {
  shape: number[];
  /** int64 inputs (RoiAlign's batch indices); float32 otherwise. */
  int64?: boolean;
  values: () => Float32Array|BigInt64Array;
}

export interface OrtGraph {
  op: string;
  workload: string;
  /** Inputs in the node's order ('' entries are absent optional inputs). */
  feeds: Record<string, Feed>;
  node: {opType: string, inputs: string[], outputs: string[], attrs: Record<string, number|number[]|string|{float: number}>};
  opset: number;
}

function filled(size: number, lo: number, hi: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({length: size}, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return lo + (hi - lo) * s / 2147483648;
  });
}
const uniformFeed = (shape: number[], lo: number, hi: number, seed: number): Feed =>
    ({shape, values: () => filled(shape.reduce((a, b) => a * b, 1), lo, hi, seed)});

export function deformConvGraph(w: DcnWorkload): OrtGraph {
  const [ho, wo] = dcnOutputSize(w);
  const taps = w.offsetGroups * w.k * w.k;
  const feeds: Record<string, Feed> = {
    X: uniformFeed([w.N, w.C, w.H, w.W], -1, 1, 1),
    W: uniformFeed([w.Cout, w.C / w.groups, w.k, w.k], -0.1, 0.1, 2),
    offset: uniformFeed([w.N, 2 * taps, ho, wo], -2, 2, 3),
    ...(w.mask ? {B: uniformFeed([w.Cout], -0.1, 0.1, 4), mask: uniformFeed([w.N, taps, ho, wo], 0, 1, 5)} : {}),
  };
  return {
    op: 'deformConv2d', workload: w.name, feeds, opset: 22,
    node: {
      opType: 'DeformConv', inputs: Object.keys(feeds), outputs: ['Y'],
      attrs: {kernel_shape: [w.k, w.k], strides: [w.s, w.s], dilations: [w.d, w.d],
              pads: [w.p, w.p, w.p, w.p], group: w.groups, offset_group: w.offsetGroups},
    },
  };
}

export function roiAlignGraph(w: RoiWorkload): OrtGraph {
  const boxes = roiBoxes(w);
  const column = (r: number, i: number) => boxes[5 * r + i];
  return {
    op: 'deformRoiPool', workload: w.name, opset: 16,
    feeds: {
      X: uniformFeed([w.N, w.C, w.H, w.W], -1, 1, 1),
      rois: {shape: [w.rois, 4], values: () => Float32Array.from({length: 4 * w.rois}, (_, i) => column(i >> 2, 1 + (i & 3)))},
      batch_indices: {shape: [w.rois], int64: true, values: () => BigInt64Array.from({length: w.rois}, (_, r) => BigInt(column(r, 0)))},
    },
    node: {
      opType: 'RoiAlign', inputs: ['X', 'rois', 'batch_indices'], outputs: ['Y'],
      attrs: {mode: 'avg', coordinate_transformation_mode: 'half_pixel', output_height: w.outputSize,
              output_width: w.outputSize, sampling_ratio: w.samplingRatio, spatial_scale: {float: w.spatialScale}},
    },
  };
}

export const ORT_GRAPHS: OrtGraph[] =
    [...configs.deformConv2d.map(deformConvGraph), ...configs.deformRoiPool.map(roiAlignGraph)];

export async function benchOrt(
    ort: typeof Ort, backend: string, model: (g: OrtGraph) => Promise<Uint8Array>, note: string,
    graphs = ORT_GRAPHS): Promise<Row[]> {
  const rows: Row[] = [];
  for (const g of graphs) {
    rows.push(await timeRow(
        {op: g.op, workload: g.workload, backend, impl: 'onnxruntime-web', mode: 'forward', ms: null, runs: 0, note},
        async () => {
          const session = await ort.InferenceSession.create(
              await model(g), {executionProviders: ['wasm'], graphOptimizationLevel: 'all'});
          const feeds: Record<string, Ort.Tensor> = {};
          for (const [name, feed] of Object.entries(g.feeds)) {
            const values = feed.values();
            feeds[name] = new ort.Tensor(feed.int64 ? 'int64' : 'float32', values, feed.shape);
          }
          const timing = await median(async () => {
            await session.run(feeds);
          });
          await session.release();
          return timing;
        }));
  }
  return rows;
}
