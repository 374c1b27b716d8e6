// Oracle fixture for the DCNv3 core op (InternImage `dcnv3_core_pytorch`,
// channels-last): the computation is rebuilt as an ONNX graph (Pad, Reshape,
// Transpose, GridSample, Mul, ReduceSum, ...) and run by onnxruntime-node.
// No code of ours or InternImage's computes the outputs; JS only builds the
// constant reference points / dilation grid the way the PyTorch code does
// (test/oracle/dcnv3_graph.ts).
// Run from anywhere: npx tsx test/oracle/dcnv3_ort.ts
import {
  Config,
  cudaGraph,
  GRID_SAMPLE_ATTRS,
  GraphBuilder,
  isSymmetric,
  OPSET,
  outSize,
  pytorchGraph,
  Tensors,
} from './dcnv3_graph';
import {ORT_VERSION, runGraph} from './onnx_graph';
import {flat, maxAbsDiff, randomTools, readGolden, runOracle, writeFixture} from './oracle_util';

const SEED = 20240913;
const {rand, randInt, pick, uniform} = randomTools(SEED);

// ---------------------------------------------------------------- configs

const ASYM_PADS: Array<[number, number]> = [
  [0, 1],
  [1, 0],
  [0, 2],
  [2, 0],
  [1, 2],
  [2, 1],
];
const ODD = [3, 5, 7, 9];

const THEMES: Record<string, (c: Config) => void> = {
  odd: c => {
    c.H = pick(ODD);
    c.W = pick(ODD.filter(v => v !== c.H));
  },
  batch: c => {
    c.N = 2;
  },
  stride2: c => {
    c.sh = c.sw = 2;
  },
  stride21: c => {
    [c.sh, c.sw] = [2, 1];
  },
  dil2: c => {
    c.dh = c.dw = 2;
  },
  dil12: c => {
    [c.dh, c.dw] = [1, 2];
  },
  k3x2: c => {
    [c.kh, c.kw] = [3, 2];
  },
  k1x3: c => {
    [c.kh, c.kw] = [1, 3];
  },
  k5x3: c => {
    [c.kh, c.kw] = [5, 3];
  },
  k2x2: c => {
    [c.kh, c.kw] = [2, 2];
  },
  s05: c => {
    c.s = 0.5;
  },
  s15: c => {
    c.s = 1.5;
  },
  s2: c => {
    c.s = 2;
  },
  g2: c => {
    c.G = 2;
  },
  g4: c => {
    c.G = 4;
  },
  cg1: c => {
    c.Cg = 1;
  }, // default: Cg random in 1..min(4, 8/G)
  large: c => {
    c.offsets = 'large';
  },
  integer: c => {
    c.offsets = 'integer';
  },
  pad0: c => {
    c.pads = [0, 0, 0, 0];
  },
  pad1: c => {
    c.pads = [1, 1, 1, 1];
  },
  pad2: c => {
    c.pads = [2, 2, 2, 2];
  },
  // Symmetric per axis but pad_h != pad_w (where the PyTorch reference's
  // F.pad swaps the two; the CUDA meaning is used here).
  padhw: c => {
    const [ph, pw] = pick([
      [0, 1],
      [1, 0],
      [1, 2],
      [2, 1],
      [0, 2],
    ]);
    c.pads = [ph, ph, pw, pw];
  },
  asympad: c => {
    c.pads = [...pick(ASYM_PADS), ...pick(ASYM_PADS)];
  },
};

const CASES: string[][] = [
  ['odd'],
  ['batch'],
  ['stride2'],
  ['stride21'],
  ['dil2'],
  ['k3x2'],
  ['k1x3'],
  ['k5x3'],
  ['s05'],
  ['s15'],
  ['s2'],
  ['g2'],
  ['g4'],
  ['large'],
  ['pad0'],
  ['pad2'],
  ['asympad'],
  ['integer'],
  ['odd', 'batch', 'g2', 'large'],
  ['stride2', 'dil2', 'pad2', 's15'],
  ['k5x3', 'stride21', 'g4', 'asympad'],
  ['k3x2', 's2', 'large', 'asympad'],
  ['k1x3', 'dil2', 'batch', 'pad0'],
  ['padhw', 'g2', 'odd'],
  ['integer', 'g2', 's05', 'pad1'],
  ['stride2', 'k5x3', 'large', 'pad2', 's2'],
  ['dil12', 'asympad', 'batch', 'g4', 'cg1'],
  ['integer', 'asympad', 'k3x2'],
  ['odd', 'stride21', 'dil2', 'g2', 's15', 'large'],
  ['k2x2', 'padhw', 'batch', 's05'],
  ['integer', 'g4', 'stride2', 's2', 'dil2'],
];

function drawConfig(themes: string[]): Config {
  for (let attempt = 0; attempt < 100; attempt++) {
    const p = randInt(0, 2);
    const c: Config = {
      N: 1,
      H: randInt(3, 7),
      W: randInt(3, 7),
      G: 1,
      Cg: 1,
      kh: 3,
      kw: 3,
      sh: 1,
      sw: 1,
      dh: 1,
      dw: 1,
      pads: [p, p, p, p],
      s: 1,
      offsets: 'small',
    };
    c.Cg = 0;
    for (const t of themes) THEMES[t](c);
    if (c.Cg === 0) c.Cg = randInt(1, Math.min(4, Math.floor(8 / c.G)));
    const [Ho, Wo] = outSize(c);
    if (Ho >= 1 && Wo >= 1) return c;
  }
  throw new Error(`cannot draw a valid config for ${themes}`);
}

function drawTensors(c: Config): Tensors {
  const [Ho, Wo] = outSize(c);
  const P = c.kh * c.kw;
  const nOff = c.N * Ho * Wo * c.G * P * 2;
  let offset: Float32Array;
  if (c.offsets === 'integer') {
    // Offsets chosen so that every sample lands on a whole pixel:
    // s * (a*dw - cw + dx) = m with m a random integer (likewise for y).
    if (![0.5, 1, 2].includes(c.s)) throw new Error('integer needs s 0.5/1/2');
    const cw = Math.floor((c.dw * (c.kw - 1)) / 2);
    const ch = Math.floor((c.dh * (c.kh - 1)) / 2);
    offset = new Float32Array(nOff);
    for (let i = 0; i < nOff; i++) {
      const p = Math.floor(i / 2) % P,
        a = Math.floor(p / c.kh),
        b = p % c.kh;
      const kernelPart = i % 2 === 0 ? a * c.dw - cw : b * c.dh - ch;
      offset[i] = randInt(-3, 3) / c.s - kernelPart;
    }
  } else {
    offset = uniform(nOff, -2, 2);
    // 'large': about a third of the offsets in [-10, 10], reaching outside.
    if (c.offsets === 'large') {
      for (let i = 0; i < nOff; i++) {
        if (rand() < 0.35) offset[i] = Math.fround(-10 + 20 * rand());
      }
    }
  }
  return {
    c,
    Ho,
    Wo,
    x: uniform(c.N * c.H * c.W * c.G * c.Cg, -1, 1),
    offset,
    mask: uniform(c.N * Ho * Wo * c.G * P, 0, 1),
  };
}

async function run(b: GraphBuilder, outputs: string[]) {
  return runGraph({
    opset: OPSET,
    nodes: b.nodes,
    inputs: b.inputs,
    initializers: b.initializers,
    outputs,
  });
}

// ---------------------------------------------------------------- checks

/** Our GridSample usage against ONNX's own backend test data. */
async function checkGridSampleGolden(): Promise<number> {
  const golden = readGolden('onnx/grid_sample.json');
  let worst = 0;
  for (const cs of golden.cases) {
    const eff = cs.attributes_effective;
    if (eff.mode !== 'linear' || eff.padding_mode !== 'zeros' || eff.align_corners !== 0) {
      throw new Error(`${cs.name}: unexpected attributes`);
    }
    const b = new GraphBuilder();
    const X = b.constF(cs.inputs.X.shape, flat(cs.inputs.X.data));
    const G = b.constF(cs.inputs.grid.shape, flat(cs.inputs.grid.data));
    const y = b.op('GridSample', [X, G], GRID_SAMPLE_ATTRS);
    const out = (await run(b, [y]))[y];
    const want = cs.expected_output.Y;
    if (out.dims.join() !== want.shape.join()) {
      throw new Error(`${cs.name}: dims ${out.dims} vs ${want.shape}`);
    }
    const d = maxAbsDiff(out.data, flat(want.data).map(Math.fround));
    console.log(`GridSample golden ${cs.name}: max abs diff ${d.toExponential(2)}`);
    if (!(d < 1e-5)) throw new Error(`GridSample golden ${cs.name} differs: ${d}`);
    worst = Math.max(worst, d);
  }
  return worst;
}

/** Sample positions of the PyTorch-structured grid in unpadded pixels. */
function pytorchGridToPixels(grid: Float32Array, c: Config, Hi: number, Wi: number): number[] {
  return Array.from(grid, (g, i) =>
    i % 2 === 0 ? ((g + 1) * Wi - 1) / 2 - c.pads[2] : ((g + 1) * Hi - 1) / 2 - c.pads[0],
  );
}

/**
 * Both constructions on a symmetric-pad case: the sample positions (in
 * unpadded pixels) and the outputs must agree.
 */
async function checkConstructionsAgree(t: Tensors) {
  const pt = pytorchGraph(t),
    cu = cudaGraph(t);
  const a = await run(pt.b, [pt.grid, pt.y]);
  const z = await run(cu.b, [cu.pix, cu.y]);
  const dPix = maxAbsDiff(pytorchGridToPixels(a[pt.grid].data, t.c, pt.Hi, pt.Wi), z[cu.pix].data);
  const dOut = maxAbsDiff(a[pt.y].data, z[cu.y].data);
  if (!(dPix < 1e-5 && dOut < 1e-5)) {
    throw new Error(`PyTorch vs closed-form grid: pix ${dPix}, out ${dOut}`);
  }
  return {dPix, dOut};
}

/**
 * Whole-pixel samples need no interpolation: a direct JS sum over kernel
 * points with the documented orderings must match the graph output.
 */
function directWholePixel(t: Tensors): Float32Array {
  const {c, Ho, Wo} = t;
  const P = c.kh * c.kw,
    C = c.G * c.Cg;
  const cw = Math.floor((c.dw * (c.kw - 1)) / 2);
  const ch = Math.floor((c.dh * (c.kh - 1)) / 2);
  const y = new Float32Array(c.N * Ho * Wo * C);
  for (let n = 0; n < c.N; n++)
    for (let oh = 0; oh < Ho; oh++)
      for (let ow = 0; ow < Wo; ow++)
        for (let g = 0; g < c.G; g++)
          for (let a = 0; a < c.kw; a++)
            for (let bb = 0; bb < c.kh; bb++) {
              const p = a * c.kh + bb;
              const o = ((n * Ho + oh) * Wo + ow) * c.G * P + g * P + p;
              const X = ow * c.sw - c.pads[2] + cw + c.s * (a * c.dw - cw + t.offset[2 * o]);
              const Y = oh * c.sh - c.pads[0] + ch + c.s * (bb * c.dh - ch + t.offset[2 * o + 1]);
              if (!Number.isInteger(X) || !Number.isInteger(Y)) {
                throw new Error('directWholePixel: not a whole pixel');
              }
              if (X < 0 || Y < 0 || X >= c.W || Y >= c.H) continue;
              for (let k = 0; k < c.Cg; k++) {
                y[((n * Ho + oh) * Wo + ow) * C + g * c.Cg + k] +=
                  t.mask[o] * t.x[((n * c.H + Y) * c.W + X) * C + g * c.Cg + k];
              }
            }
  return y;
}

// ---------------------------------------------------------------- main

const tensorJson = (shape: number[], data: ArrayLike<number>) => ({shape, data: Array.from(data)});

async function main() {
  const goldenWorst = await checkGridSampleGolden();

  const cases = [];
  let agreeRuns = 0,
    worstPix = 0,
    worstOut = 0,
    wholeWorst = 0,
    wholeRuns = 0;
  for (const [i, themes] of CASES.entries()) {
    const c = drawConfig(themes);
    const t = drawTensors(c);
    const sym = isSymmetric(c);
    let y: Float32Array;
    if (sym) {
      const pt = pytorchGraph(t);
      y = (await run(pt.b, [pt.y]))[pt.y].data;
      const {dPix, dOut} = await checkConstructionsAgree(t);
      agreeRuns++;
      worstPix = Math.max(worstPix, dPix);
      worstOut = Math.max(worstOut, dOut);
    } else {
      const cu = cudaGraph(t);
      y = (await run(cu.b, [cu.y]))[cu.y].data;
    }
    if (c.offsets === 'integer') {
      const d = maxAbsDiff(y, directWholePixel(t));
      if (!(d < 1e-5)) throw new Error(`whole-pixel check case ${i}: ${d}`);
      wholeWorst = Math.max(wholeWorst, d);
      wholeRuns++;
    }
    const {Ho, Wo} = t;
    const P = c.kh * c.kw,
      C = c.G * c.Cg;
    if (y.length !== c.N * Ho * Wo * C) throw new Error('output size');
    const name =
      `dcnv3-ort-${String(i).padStart(2, '0')}-${themes.join('-')}` + (sym ? '' : '-cudaform');
    cases.push({
      name,
      attrs: {
        kernelSize: [c.kh, c.kw],
        strides: [c.sh, c.sw],
        pad: [
          [c.pads[0], c.pads[1]],
          [c.pads[2], c.pads[3]],
        ],
        dilations: [c.dh, c.dw],
        groups: c.G,
        offsetScale: c.s,
      },
      inputs: {
        x: tensorJson([c.N, c.H, c.W, C], t.x),
        offset: tensorJson([c.N, Ho, Wo, c.G * P * 2], t.offset),
        mask: tensorJson([c.N, Ho, Wo, c.G * P], t.mask),
      },
      expected: tensorJson([c.N, Ho, Wo, C], y),
    });
    console.log(
      `${name}: x [${c.N},${c.H},${c.W},${C}] G=${c.G} ` +
        `k ${c.kh}x${c.kw} pads [${c.pads}] s=${c.s} -> [${c.N},${Ho},${Wo},${C}]`,
    );
  }
  console.log(`GridSample golden (4 cases): worst max abs diff ${goldenWorst.toExponential(2)}`);
  console.log(
    `PyTorch-structured vs closed-form grid on ${agreeRuns} symmetric cases: ` +
      `positions ${worstPix.toExponential(2)} px, outputs ${worstOut.toExponential(2)}`,
  );
  console.log(`whole-pixel direct JS check on ${wholeRuns} cases: ${wholeWorst.toExponential(2)}`);

  const fixture = {
    source:
      `onnxruntime-node ${ORT_VERSION}, ONNX opset ${OPSET} graph ` +
      `(Pad/Reshape/Transpose/GridSample mode=${GRID_SAMPLE_ATTRS.mode} align_corners=0 ` +
      `padding_mode=zeros/Mul/ReduceSum) rebuilding InternImage ` +
      `dcnv3_core_pytorch (asymmetric pads: CUDA-op sample positions), ` +
      `generated by test/oracle/dcnv3_ort.ts, seed ${SEED}`,
    cases,
  };
  writeFixture('dcnv3_ort.json', fixture);
}

runOracle(main);
