/**
 * onnxruntime-web (wasm execution provider) on the same workloads: DeformConv
 * for deformConv2d, RoiAlign for deformRoiPool, InternImage's GridSample
 * construction for dcnv3; inference only. The caller passes the `ort` module
 * it loaded (Node or browser build) and a way to get each serialized model
 * (see ort_models.ts).
 */
import type * as Ort from 'onnxruntime-web';

import {Config, OPSET, outSize, pytorchGraph} from '../test/oracle/dcnv3_graph';
import type {GraphInput, OnnxNode} from '../test/oracle/onnx_graph';
import configs from './configs.json';
import {DcnWorkload, dcnOutputSize} from './dcn_cases';
import {roiBoxes, RoiWorkload} from './roi_pool_cases';
import {median, Row, timeRow} from './timing';

/** A graph input: its shape and how to fill it. */
export interface Feed {
  shape: number[];
  /** int64 inputs (RoiAlign's batch indices); float32 otherwise. */
  int64?: boolean;
  values: () => Float32Array | BigInt64Array;
}

export interface OrtGraph {
  op: string;
  workload: string;
  /** The graph's inputs, fed on every run. */
  feeds: Record<string, Feed>;
  nodes: OnnxNode[];
  /** Constants stored in the model. */
  initializers?: GraphInput[];
  outputs: string[];
  opset: number;
  /** The peer's name in the tables (default onnxruntime-web). */
  impl?: string;
}

function filled(size: number, lo: number, hi: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({length: size}, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return lo + ((hi - lo) * s) / 2147483648;
  });
}
const uniformFeed = (shape: number[], lo: number, hi: number, seed: number): Feed => ({
  shape,
  values: () =>
    filled(
      shape.reduce((a, b) => a * b, 1),
      lo,
      hi,
      seed,
    ),
});

export function deformConvGraph(w: DcnWorkload): OrtGraph {
  const [ho, wo] = dcnOutputSize(w);
  const taps = w.offsetGroups * w.k * w.k;
  const feeds: Record<string, Feed> = {
    X: uniformFeed([w.N, w.C, w.H, w.W], -1, 1, 1),
    W: uniformFeed([w.Cout, w.C / w.groups, w.k, w.k], -0.1, 0.1, 2),
    offset: uniformFeed([w.N, 2 * taps, ho, wo], -2, 2, 3),
    ...(w.mask
      ? {B: uniformFeed([w.Cout], -0.1, 0.1, 4), mask: uniformFeed([w.N, taps, ho, wo], 0, 1, 5)}
      : {}),
  };
  return {
    op: 'deformConv2d',
    workload: w.name,
    feeds,
    opset: 22,
    outputs: ['Y'],
    nodes: [
      {
        opType: 'DeformConv',
        inputs: Object.keys(feeds),
        outputs: ['Y'],
        attrs: {
          kernel_shape: [w.k, w.k],
          strides: [w.s, w.s],
          dilations: [w.d, w.d],
          pads: [w.p, w.p, w.p, w.p],
          group: w.groups,
          offset_group: w.offsetGroups,
        },
      },
    ],
  };
}

export function roiAlignGraph(w: RoiWorkload): OrtGraph {
  const boxes = roiBoxes(w);
  const column = (r: number, i: number) => boxes[5 * r + i];
  return {
    op: 'deformRoiPool',
    workload: w.name,
    opset: 16,
    outputs: ['Y'],
    feeds: {
      X: uniformFeed([w.N, w.C, w.H, w.W], -1, 1, 1),
      rois: {
        shape: [w.rois, 4],
        values: () =>
          Float32Array.from({length: 4 * w.rois}, (_, i) => column(i >> 2, 1 + (i & 3))),
      },
      batch_indices: {
        shape: [w.rois],
        int64: true,
        values: () => BigInt64Array.from({length: w.rois}, (_, r) => BigInt(column(r, 0))),
      },
    },
    nodes: [
      {
        opType: 'RoiAlign',
        inputs: ['X', 'rois', 'batch_indices'],
        outputs: ['Y'],
        attrs: {
          mode: 'avg',
          coordinate_transformation_mode: 'half_pixel',
          output_height: w.outputSize,
          output_width: w.outputSize,
          sampling_ratio: w.samplingRatio,
          spatial_scale: {float: w.spatialScale},
        },
      },
    ],
  };
}

type DCNv3Workload = (typeof configs.dcnv3)[number];

/** InternImage's dcnv3_core_pytorch (pad, grids, GridSample, mask, sum) as the oracle builds it. */
export function dcnv3GridSampleGraph(w: DCNv3Workload): OrtGraph {
  const c: Config = {
    N: w.N,
    H: w.H,
    W: w.W,
    G: w.groups,
    Cg: w.C / w.groups,
    kh: w.k,
    kw: w.k,
    sh: w.s,
    sw: w.s,
    dh: w.d,
    dw: w.d,
    pads: [w.p, w.p, w.p, w.p],
    s: w.offsetScale,
    offsets: 'small',
  };
  const [ho, wo] = outSize(c);
  const points = w.groups * w.k * w.k;
  const feeds: Record<string, Feed> = {
    x: uniformFeed([w.N, w.H, w.W, w.C], -1, 1, 1),
    offset: uniformFeed([w.N, ho, wo, 2 * points], -2, 2, 2),
    mask: uniformFeed([w.N, ho, wo, points], 0, 1, 3),
  };
  // The builder only needs the inputs' shapes; their values are the feeds.
  const empty = new Float32Array(0);
  const {b, y} = pytorchGraph({c, Ho: ho, Wo: wo, x: empty, offset: empty, mask: empty});
  return {
    op: 'dcnv3',
    workload: w.name,
    feeds,
    nodes: b.nodes,
    initializers: b.initializers,
    outputs: [y],
    opset: OPSET,
    impl: 'onnxruntime-web (GridSample graph)',
  };
}

export const ORT_GRAPHS: OrtGraph[] = [
  ...configs.deformConv2d.map(deformConvGraph),
  ...configs.deformRoiPool.map(roiAlignGraph),
  ...configs.dcnv3.map(dcnv3GridSampleGraph),
];

export async function benchOrt(
  ort: typeof Ort,
  backend: string,
  model: (g: OrtGraph) => Promise<Uint8Array>,
  note: string,
  graphs = ORT_GRAPHS,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const g of graphs) {
    rows.push(
      await timeRow(
        {
          op: g.op,
          workload: g.workload,
          backend,
          impl: g.impl ?? 'onnxruntime-web',
          mode: 'forward',
          ms: null,
          runs: 0,
          note,
        },
        async () => {
          const session = await ort.InferenceSession.create(await model(g), {
            executionProviders: ['wasm'],
            graphOptimizationLevel: 'all',
          });
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
        },
      ),
    );
  }
  return rows;
}
