// Oracle fixture for deformRoiPool with zero offsets (mmcv DeformRoIPool, no
// offset), which equals ONNX RoiAlign(mode='avg',
// coordinate_transformation_mode='half_pixel'). The expected outputs come from
// onnxruntime-node running a single RoiAlign node (wrapped in Transposes so
// that the graph takes and returns channels-last tensors).
// A float64 JS version of docs/semantics.md §4.2 (sampler A) is only used as a
// cross-check and to keep sample points away from the sampler's
// discontinuities; it never produces fixture values.
// Run from anywhere: npx tsx test/oracle/roi_align_ort.ts
import {GraphInput, OnnxNode, ORT_VERSION, runGraph} from './onnx_graph';
import {
  flat,
  maxAbsDiff,
  NCHW_TO_NHWC,
  NHWC_TO_NCHW,
  randomTools,
  readGolden,
  transpose,
  runOracle,
  writeFixture,
} from './oracle_util';

const SEED = 20241107;
// ORT 1.30 has no RoiAlign-22 kernel; RoiAlign-16 has the same semantics
// (later versions only widened the accepted types).
const OPSET = 16;
// Sample positions / adaptive grid ratios closer than this (in feature-map
// pixels) to a discontinuity of the sampler are redrawn.
const GUARD = 2e-3;
// ORT (float32) vs the float64 JS cross-check.
const CROSS_TOL = 2e-5;

// ---------------------------------------------------------------- helpers

const {rand, randInt, randF, pick, uniform, shuffle} = randomTools(SEED);

// ---------------------------------------------------------------- graph

interface RoiAlignRun {
  x: Float32Array;
  xDims: number[]; // NHWC if nhwc, else NCHW
  rois: Float32Array; // [R, 4] (x1, y1, x2, y2)
  batch: number[]; // [R]
  ph: number;
  pw: number;
  scale: number;
  sr: number;
  ctm: 'half_pixel' | 'output_half_pixel';
  nhwc: boolean;
}

/** One RoiAlign node (optionally between NHWC<->NCHW Transposes). */
async function runRoiAlign(a: RoiAlignRun) {
  const R = a.batch.length;
  const inputs: GraphInput[] = [
    {name: 'x', dims: a.xDims, data: a.x},
    {name: 'rois', dims: [R, 4], data: a.rois},
    {name: 'batch_indices', dims: [R], data: BigInt64Array.from(a.batch.map(BigInt))},
  ];
  const nodes: OnnxNode[] = [];
  let xIn = 'x',
    yOut = 'y';
  if (a.nhwc) {
    nodes.push({
      opType: 'Transpose',
      inputs: ['x'],
      outputs: ['x_nchw'],
      attrs: {perm: NHWC_TO_NCHW},
    });
    xIn = 'x_nchw';
    yOut = 'y_nchw';
  }
  nodes.push({
    opType: 'RoiAlign',
    inputs: [xIn, 'rois', 'batch_indices'],
    outputs: [yOut],
    attrs: {
      mode: 'avg',
      output_height: a.ph,
      output_width: a.pw,
      sampling_ratio: a.sr,
      spatial_scale: {float: a.scale},
      coordinate_transformation_mode: a.ctm,
    },
  });
  if (a.nhwc) {
    nodes.push({
      opType: 'Transpose',
      inputs: ['y_nchw'],
      outputs: ['y'],
      attrs: {perm: NCHW_TO_NHWC},
    });
  }
  return (await runGraph({opset: OPSET, nodes, inputs, outputs: ['y']})).y;
}

// ------------------------------------------ float64 reference (cross-check)

/** Sampler A (docs/semantics.md §0.2) on channel c of image n of an NHWC tensor. */
function samplerA(
  x: Float32Array,
  H: number,
  W: number,
  C: number,
  n: number,
  c: number,
  y: number,
  xx: number,
): number {
  if (y < -1 || y > H || xx < -1 || xx > W) return 0;
  if (y <= 0) y = 0;
  if (xx <= 0) xx = 0;
  let y0 = Math.trunc(y),
    x0 = Math.trunc(xx),
    y1: number,
    x1: number;
  if (y0 >= H - 1) {
    y0 = y1 = H - 1;
    y = y0;
  } else {
    y1 = y0 + 1;
  }
  if (x0 >= W - 1) {
    x0 = x1 = W - 1;
    xx = x0;
  } else {
    x1 = x0 + 1;
  }
  const ly = y - y0,
    lx = xx - x0;
  const at = (i: number, j: number) => x[((n * H + i) * W + j) * C + c];
  return (
    (1 - ly) * (1 - lx) * at(y0, x0) +
    (1 - ly) * lx * at(y0, x1) +
    ly * (1 - lx) * at(y1, x0) +
    ly * lx * at(y1, x1)
  );
}

/** Sample coordinates along one axis for a half_pixel RoI (semantics §4.2). */
function axisSamples(
  lo: number,
  hi: number,
  scale: number,
  pooled: number,
  sr: number,
): number[][] {
  const s = lo * scale - 0.5,
    e = hi * scale - 0.5;
  const bin = (e - s) / pooled;
  const g = sr > 0 ? sr : Math.ceil((e - s) / pooled);
  return Array.from({length: pooled}, (_, p) =>
    Array.from({length: Math.max(g, 0)}, (_, i) => s + p * bin + ((i + 0.5) * bin) / g),
  );
}

/** mmcv deform_roi_pool, zero offset, NHWC in/out, rois [R, 5]. */
function referencePool(c: Config, x: Float32Array, rois5: Float32Array): Float64Array {
  const R = rois5.length / 5;
  const out = new Float64Array(R * c.ph * c.pw * c.C);
  for (let r = 0; r < R; r++) {
    const [b, x1, y1, x2, y2] = rois5.subarray(5 * r, 5 * r + 5);
    const n = Math.trunc(b);
    const ys = axisSamples(y1, y2, c.scale, c.ph, c.sr);
    const xs = axisSamples(x1, x2, c.scale, c.pw, c.sr);
    for (let i = 0; i < c.ph; i++)
      for (let j = 0; j < c.pw; j++) {
        const count = Math.max(ys[i].length * xs[j].length, 1);
        for (let ch = 0; ch < c.C; ch++) {
          let acc = 0;
          for (const yy of ys[i])
            for (const xx of xs[j]) acc += samplerA(x, c.H, c.W, c.C, n, ch, yy, xx);
          out[((r * c.ph + i) * c.pw + j) * c.C + ch] = acc / count;
        }
      }
  }
  return out;
}

/**
 * True if a float32 evaluation could land on the other side of a
 * discontinuity: a sample within GUARD of -1 or of `size`, or (adaptive
 * sampling) roi_size / pooled within GUARD of an integer (ceil jumps there).
 */
function nearDiscontinuity(
  lo: number,
  hi: number,
  scale: number,
  pooled: number,
  sr: number,
  size: number,
): boolean {
  const rs = (hi - lo) * scale;
  if (sr === 0) {
    const q = rs / pooled;
    if (Math.abs(q - Math.round(q)) < GUARD) return true;
  }
  return axisSamples(lo, hi, scale, pooled, sr)
    .flat()
    .some(v => Math.abs(v + 1) < GUARD || Math.abs(v - size) < GUARD);
}

// ---------------------------------------------------------------- configs

type RoiKind = 'normal' | 'outside' | 'tiny' | 'large' | 'huge';

interface Config {
  N: number;
  H: number;
  W: number;
  C: number;
  ph: number;
  pw: number;
  scale: number;
  sr: number;
  kinds: RoiKind[];
}

const THEMES: Record<string, (c: Config) => void> = {
  n2: c => {
    c.N = 2;
  },
  n3: c => {
    c.N = 3;
  },
  c1: c => {
    c.C = 1;
  },
  c6: c => {
    c.C = 6;
  },
  small: c => {
    c.H = randInt(4, 5);
    c.W = randInt(4, 6);
  },
  big: c => {
    c.H = randInt(10, 12);
    c.W = randInt(10, 12);
  },
  p1x1: c => {
    c.ph = c.pw = 1;
  },
  p4x4: c => {
    c.ph = c.pw = 4;
  },
  p2x3: c => {
    [c.ph, c.pw] = [2, 3];
  },
  p3x1: c => {
    [c.ph, c.pw] = [3, 1];
  },
  p1x4: c => {
    [c.ph, c.pw] = [1, 4];
  },
  s05: c => {
    c.scale = 0.5;
  },
  s025: c => {
    c.scale = 0.25;
  },
  sr0: c => {
    c.sr = 0;
  },
  sr1: c => {
    c.sr = 1;
  },
  sr2: c => {
    c.sr = 2;
  },
  sr3: c => {
    c.sr = 3;
  },
  normal: c => {
    c.kinds = Array(randInt(2, 4)).fill('normal');
  },
  outside: c => {
    c.kinds = Array(randInt(2, 4)).fill('outside');
  },
  tiny: c => {
    c.kinds = Array(randInt(2, 4)).fill('tiny');
  },
  large: c => {
    c.kinds = Array(randInt(1, 3)).fill('large');
  },
  huge: c => {
    c.kinds = Array(randInt(1, 3)).fill('huge');
  },
  mixed: c => {
    const all: RoiKind[] = ['normal', 'outside', 'tiny', 'large'];
    c.kinds = shuffle([...all, ...Array.from({length: randInt(0, 2)}, () => pick(all))]);
  },
};

const CASES: string[][] = [
  ['normal', 'sr2'],
  ['normal', 'sr0'],
  ['normal', 'sr1', 'p1x1'],
  ['normal', 'sr3', 'p2x3'],
  ['outside', 'sr0'],
  ['outside', 'sr2', 'p3x1'],
  ['tiny', 'sr0'],
  ['tiny', 'sr2', 'p4x4'],
  ['large', 'sr0'],
  ['large', 'sr1', 'p1x4'],
  ['normal', 's05', 'sr0'],
  ['outside', 's05', 'sr2', 'n2'],
  ['normal', 's025', 'sr0', 'n2'],
  ['mixed', 's025', 'sr3'],
  ['mixed', 'n2', 'sr0', 'c6'],
  ['mixed', 'n3', 'sr2', 'p2x3'],
  ['mixed', 'n3', 's05', 'sr0', 'c1'],
  ['tiny', 'c1', 's025', 'sr1', 'small'],
  ['large', 'c6', 's05', 'sr3', 'p4x4'],
  ['outside', 'n2', 'sr0', 'p1x1', 'big'],
  ['large', 'n3', 's025', 'sr0', 'p3x1'],
  ['mixed', 'n2', 'sr1', 'c6', 'p4x4'],
  ['tiny', 'n3', 'sr3', 'big'],
  ['mixed', 'n3', 's05', 'sr0', 'p1x4', 'small'],
  ['huge', 'sr0'],
  ['huge', 'sr0', 'n2', 'p2x3', 'small'],
  ['huge', 'sr2', 's05'],
];

function drawConfig(themes: string[]): Config {
  const c: Config = {
    N: 1,
    H: randInt(4, 12),
    W: randInt(4, 12),
    C: randInt(1, 4),
    ph: randInt(1, 4),
    pw: randInt(1, 4),
    scale: 1,
    sr: pick([0, 1, 2, 3]),
    kinds: ['normal', 'normal', 'normal'],
  };
  for (const t of themes) THEMES[t](c);
  while (c.kinds.length < c.N) c.kinds.push(pick(c.kinds)); // use every image
  return c;
}

/**
 * One axis of a RoI in feature-map pixels (before the -0.5 shift), for a map
 * of `size` pixels. `kind` picks the extent; all endpoints are continuous
 * random values, so nothing is round. `outside` (ordinary extent only) makes
 * the low end negative, the high end > size, or both.
 */
function drawAxis(
  kind: 'tiny' | 'large' | 'huge' | 'inside',
  size: number,
  outside: boolean,
): [number, number] {
  switch (kind) {
    case 'tiny': {
      const w = randF(0.05, 0.95);
      const lo = randF(-0.9, size - 0.1);
      return [lo, lo + w];
    }
    case 'large':
      return [randF(-0.6 * size, 0.3), randF(size - 0.3, 1.6 * size)];
    case 'huge':
      // Most of an adaptive grid outside the map: the kernels visit only its part inside.
      return [randF(-12 * size, -4 * size), randF(5 * size, 13 * size)];
    default: {
      if (outside) {
        const which = pick(['lo', 'hi', 'both']);
        const lo = which === 'hi' ? randF(0, size - 1.5) : randF(-2.8, -0.1);
        const hi =
          which === 'lo' ? randF(Math.max(lo + 1, 0.8), size) : randF(size + 0.1, size + 2.8);
        return [lo, hi];
      }
      const lo = randF(0, size - 1.5);
      return [lo, randF(lo + 1, size)];
    }
  }
}

interface Roi {
  b: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

function drawRoi(c: Config, kind: RoiKind, b: number): Roi {
  for (let attempt = 0; attempt < 1000; attempt++) {
    let xs: [number, number], ys: [number, number];
    if (kind === 'outside') {
      // At least one axis leaves the image.
      const ax = pick(['x', 'y', 'xy']);
      xs = drawAxis('inside', c.W, ax !== 'y');
      ys = drawAxis('inside', c.H, ax !== 'x');
    } else if (kind === 'tiny') {
      // One axis < 1 px (in feature-map pixels); the other tiny or ordinary.
      const tinyX = rand() < 0.5;
      const other = rand() < 0.5 ? 'tiny' : 'inside';
      xs = drawAxis(tinyX ? 'tiny' : other, c.W, false);
      ys = drawAxis(tinyX ? other : 'tiny', c.H, false);
    } else {
      const k = kind === 'large' || kind === 'huge' ? kind : 'inside';
      xs = drawAxis(k, c.W, false);
      ys = drawAxis(k, c.H, false);
    }
    // Image coordinates (feature map / scale), stored as float32.
    const f = (v: number) => Math.fround(v / c.scale);
    const roi = {b, x1: f(xs[0]), y1: f(ys[0]), x2: f(xs[1]), y2: f(ys[1])};
    if (!(roi.x2 > roi.x1 && roi.y2 > roi.y1)) continue;
    if (
      nearDiscontinuity(roi.x1, roi.x2, c.scale, c.pw, c.sr, c.W) ||
      nearDiscontinuity(roi.y1, roi.y2, c.scale, c.ph, c.sr, c.H)
    ) {
      continue;
    }
    return roi;
  }
  throw new Error(`cannot draw a ${kind} RoI`);
}

/** Batch indices spread over the batch (every image used if R >= N). */
function drawBatch(N: number, R: number): number[] {
  const bs = Array.from({length: R}, (_, r) => (r < N ? r : randInt(0, N - 1)));
  return shuffle(bs);
}

// ---------------------------------------------------------------- checks

/**
 * Our RoiAlign usage against ONNX's own backend test data (avg mode only):
 * aligned_true uses half_pixel (what we need), aligned_false the legacy
 * output_half_pixel mapping. Both through the plain NCHW graph.
 */
async function checkOnnxGolden(): Promise<string[]> {
  const golden = readGolden('onnx/roi_align.json');
  const lines: string[] = [];
  for (const want of ['aligned_true', 'aligned_false']) {
    const cs = golden.cases.find((k: {name: string}) => k.name.endsWith(want));
    if (!cs) throw new Error(`golden case ${want} missing`);
    const eff = cs.attributes_effective;
    if (eff.mode !== 'avg') throw new Error(`${cs.name}: mode ${eff.mode}`);
    const out = await runRoiAlign({
      x: Float32Array.from(flat(cs.inputs.X.data)),
      xDims: cs.inputs.X.shape,
      rois: Float32Array.from(flat(cs.inputs.rois.data)),
      batch: flat(cs.inputs.batch_indices.data),
      ph: eff.output_height,
      pw: eff.output_width,
      scale: eff.spatial_scale,
      sr: eff.sampling_ratio,
      ctm: eff.coordinate_transformation_mode,
      nhwc: false,
    });
    const exp = cs.expected_output.Y;
    if (out.dims.join() !== exp.shape.join()) {
      throw new Error(`${cs.name}: dims ${out.dims} vs ${exp.shape}`);
    }
    const d = maxAbsDiff(out.data, flat(exp.data).map(Math.fround));
    const line =
      `ONNX golden ${cs.name} (${eff.coordinate_transformation_mode}): ` +
      `max abs diff ${d.toExponential(2)}`;
    console.log(line);
    lines.push(line);
    if (!(d < 2e-4)) throw new Error(`ONNX golden ${cs.name} differs: ${d}`);
  }
  return lines;
}

/**
 * mmcv's deform_roi_pool literals (zero offsets) through the same NHWC
 * graph as the fixture (half_pixel), which also exercises our layout path.
 */
async function checkMmcvGolden(): Promise<string> {
  const golden = readGolden('mmcv/deform_roi_pool.json');
  let worst = 0;
  for (const cs of golden.cases) {
    const cfg = cs.config;
    const xDims: number[] = cs.inputs.x.shape;
    const rois5 = flat(cs.inputs.rois.data);
    const R = rois5.length / 5;
    const out = await runRoiAlign({
      x: transpose(flat(cs.inputs.x.data), xDims, NCHW_TO_NHWC).data,
      xDims: NCHW_TO_NHWC.map(p => xDims[p]),
      rois: Float32Array.from(
        {length: 4 * R},
        (_, k) => rois5[5 * Math.floor(k / 4) + 1 + (k % 4)],
      ),
      batch: Array.from({length: R}, (_, r) => Math.trunc(rois5[5 * r])),
      ph: cfg.output_size[0],
      pw: cfg.output_size[1],
      scale: cfg.spatial_scale,
      sr: cfg.sampling_ratio,
      ctm: 'half_pixel',
      nhwc: true,
    });
    const exp = cs.expected_output;
    const got = transpose(out.data, out.dims, NHWC_TO_NCHW).data;
    const d = maxAbsDiff(got, flat(exp.data));
    if (!(d < 1e-6)) throw new Error(`mmcv golden ${cs.name} differs: ${d}`);
    worst = Math.max(worst, d);
  }
  const line =
    `mmcv deform_roi_pool golden (${golden.cases.length} cases, NHWC graph): ` +
    `max abs diff ${worst.toExponential(2)}`;
  console.log(line);
  return line;
}

// ---------------------------------------------------------------- main

const tensorJson = (shape: number[], data: ArrayLike<number>) => ({shape, data: Array.from(data)});

async function main() {
  await checkOnnxGolden();
  await checkMmcvGolden();

  const cases = [];
  let crossWorst = 0,
    nRois = 0;
  const kindCount: Record<string, number> = {};
  // RoIs with a sample coordinate in sampler A's zero zone (< -1 or > size)
  // and in its replicated border zones ([-1, 0) or (size-1, size]).
  const zones = {zero: 0, replicate: 0};
  for (const [i, themes] of CASES.entries()) {
    const c = drawConfig(themes);
    const batch = drawBatch(c.N, c.kinds.length);
    const rois = c.kinds.map((k, r) => drawRoi(c, k, batch[r]));
    const R = rois.length;
    const x = uniform(c.N * c.H * c.W * c.C, -1, 1);
    const out = await runRoiAlign({
      x,
      xDims: [c.N, c.H, c.W, c.C],
      rois: Float32Array.from(rois.flatMap(r => [r.x1, r.y1, r.x2, r.y2])),
      batch,
      ph: c.ph,
      pw: c.pw,
      scale: c.scale,
      sr: c.sr,
      ctm: 'half_pixel',
      nhwc: true,
    });
    const outShape = [R, c.ph, c.pw, c.C];
    if (out.dims.join() !== outShape.join()) {
      throw new Error(`case ${i}: dims ${out.dims} vs ${outShape}`);
    }
    const rois5 = Float32Array.from(rois.flatMap(r => [r.b, r.x1, r.y1, r.x2, r.y2]));
    const d = maxAbsDiff(out.data, referencePool(c, x, rois5));
    if (!(d < CROSS_TOL)) throw new Error(`case ${i}: ORT vs float64 JS ${d}`);
    crossWorst = Math.max(crossWorst, d);
    nRois += R;
    for (const r of rois) {
      const zs = [
        ...axisSamples(r.x1, r.x2, c.scale, c.pw, c.sr)
          .flat()
          .map(v => [v, c.W]),
        ...axisSamples(r.y1, r.y2, c.scale, c.ph, c.sr)
          .flat()
          .map(v => [v, c.H]),
      ];
      if (zs.some(([v, n]) => v < -1 || v > n)) zones.zero++;
      if (zs.some(([v, n]) => (v >= -1 && v < 0) || (v > n - 1 && v <= n))) zones.replicate++;
    }
    for (const k of c.kinds) kindCount[k] = (kindCount[k] ?? 0) + 1;

    const name = `roialign-ort-${String(i).padStart(2, '0')}-${themes.join('-')}`;
    cases.push({
      name,
      attrs: {outputSize: [c.ph, c.pw], spatialScale: c.scale, samplingRatio: c.sr},
      inputs: {
        x: tensorJson([c.N, c.H, c.W, c.C], x),
        rois: tensorJson([R, 5], rois5),
      },
      expected: tensorJson(outShape, out.data),
    });
    console.log(
      `${name}: x [${c.N},${c.H},${c.W},${c.C}] ${R} RoIs ` +
        `(${c.kinds.join(',')}) b=[${batch}] out ${c.ph}x${c.pw} ` +
        `scale ${c.scale} sr ${c.sr}`,
    );
  }
  console.log(
    `ORT vs float64 JS (docs/semantics.md §4.2) on ${cases.length} cases / ` +
      `${nRois} RoIs (${Object.entries(kindCount)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}): ` +
      `max abs diff ${crossWorst.toExponential(2)}`,
  );
  console.log(
    `RoIs with samples in the zero zone: ${zones.zero}, ` +
      `in the replicated border zone: ${zones.replicate}`,
  );

  const fixture = {
    source:
      `onnxruntime-node ${ORT_VERSION}, ONNX opset ${OPSET} graph ` +
      `(Transpose NHWC->NCHW / RoiAlign mode=avg ` +
      `coordinate_transformation_mode=half_pixel / Transpose NCHW->NHWC), ` +
      `equal to mmcv deform_roi_pool with zero offsets; rois are mmcv ` +
      `(batchIndex, x1, y1, x2, y2) in image coordinates; generated by ` +
      `test/oracle/roi_align_ort.ts, seed ${SEED}`,
    cases,
  };
  writeFixture('roi_align_ort.json', fixture);
}

runOracle(main);
