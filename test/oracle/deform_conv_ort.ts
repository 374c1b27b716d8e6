// Oracle fixture for deformConv2d: random small configurations run through
// onnxruntime-node's DeformConv, stored channels-last (tfjs layout) as JSON so
// that specs in Node and in the browser only have to read a file.
// Run from anywhere: npx tsx test/oracle/deform_conv_ort.ts
import {GraphInput, ORT_VERSION, runGraph} from './onnx_graph';
import {
  NCHW_TO_NHWC,
  OIHW_TO_HWIO,
  randomTools,
  transpose,
  runOracle,
  writeFixture,
} from './oracle_util';

const SEED = 20240607;
const OPSET = 22; // ORT 1.30 accepts 22 (DeformConv exists since 19).

// ---------------------------------------------------------------- helpers

const {rand, randInt, pick, uniform} = randomTools(SEED);

// ---------------------------------------------------------------- configs

type OffsetKind = 'small' | 'large' | 'integer' | 'zero';

interface Config {
  N: number;
  C: number;
  H: number;
  W: number;
  oC: number;
  kH: number;
  kW: number;
  strides: [number, number];
  dilations: [number, number];
  pads: [number, number, number, number]; // top, bottom, left, right
  G: number;
  D: number;
  mask: boolean;
  bias: boolean;
  offsets: OffsetKind;
  border: boolean; // pin some samples onto / just outside the border
}

const outSize = (c: Config): [number, number] => [
  Math.floor((c.H + c.pads[0] + c.pads[1] - c.dilations[0] * (c.kH - 1) - 1) / c.strides[0]) + 1,
  Math.floor((c.W + c.pads[2] + c.pads[3] - c.dilations[1] * (c.kW - 1) - 1) / c.strides[1]) + 1,
];

/** Unequal (begin, end) paddings, often with one side zero. */
const ASYM_PADS: Array<[number, number]> = [
  [0, 1],
  [0, 2],
  [1, 0],
  [2, 0],
  [1, 2],
  [2, 1],
];
const ODD = [3, 5, 7, 9];

// Each theme tweaks a base draw. 'kfull' is applied last since it derives
// the input size from kernel, dilation and padding (output is then 1x1).
const THEMES: Record<string, (c: Config) => void> = {
  odd: c => {
    c.H = pick(ODD);
    c.W = pick(ODD.filter(v => v !== c.H));
  },
  batch: c => {
    c.N = randInt(2, 3);
  },
  k1x3: c => {
    [c.kH, c.kW] = [1, 3];
  },
  k3x2: c => {
    [c.kH, c.kW] = [3, 2];
  },
  k2x3: c => {
    [c.kH, c.kW] = [2, 3];
  },
  k1x1: c => {
    [c.kH, c.kW] = [1, 1];
  },
  stride2: c => {
    c.strides = [2, 2];
  },
  stride21: c => {
    c.strides = [2, 1];
  },
  dil2: c => {
    c.dilations = [2, 2];
  },
  dil12: c => {
    c.dilations = [1, 2];
  },
  asympad: c => {
    c.pads = [...pick(ASYM_PADS), ...pick(ASYM_PADS)];
  },
  groups: c => {
    c.G = pick([2, 2, 3, 4]);
  },
  ogroups: c => {
    c.D = pick([2, 2, 4]);
  },
  large: c => {
    c.offsets = 'large';
  },
  integer: c => {
    c.offsets = 'integer';
  },
  border: c => {
    c.border = true;
  },
  kfull: c => {
    c.kH = randInt(1, 4);
    c.kW = randInt(2, 4);
    c.H = c.dilations[0] * (c.kH - 1) + 1 - c.pads[0] - c.pads[1];
    c.W = c.dilations[1] * (c.kW - 1) + 1 - c.pads[2] - c.pads[3];
  },
};

// Every theme appears in several cases; combos exercise interactions.
const CASES: string[][] = [
  ['odd'],
  ['batch'],
  ['k1x3'],
  ['k3x2'],
  ['k2x3'],
  ['stride2'],
  ['stride21'],
  ['dil2'],
  ['dil12'],
  ['asympad'],
  ['groups'],
  ['ogroups'],
  ['groups', 'ogroups'],
  ['k1x1'],
  ['kfull'],
  ['large'],
  ['odd', 'batch', 'large'],
  ['k1x3', 'stride2', 'asympad'],
  ['k3x2', 'dil12', 'groups'],
  ['k2x3', 'stride21', 'ogroups'],
  ['batch', 'asympad', 'groups', 'ogroups'],
  ['k1x1', 'stride2', 'ogroups'],
  ['asympad', 'large', 'kfull'],
  ['odd', 'dil2', 'integer'],
  ['asympad', 'border'],
  ['batch', 'k3x2', 'border'],
  ['groups', 'integer'],
  ['stride21', 'dil2', 'large'],
  ['groups', 'ogroups', 'kfull'],
  ['batch', 'k1x1', 'large'],
  ['odd', 'dil12', 'border'],
  ['stride2', 'dil2', 'asympad', 'large'],
  ['k2x3', 'asympad', 'integer'],
  ['odd', 'stride2', 'k1x3', 'border', 'large'],
];

const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

function drawConfig(themes: string[], index: number): Config {
  for (let attempt = 0; attempt < 100; attempt++) {
    const p = randInt(0, 1);
    const c: Config = {
      N: 1,
      C: 1,
      H: randInt(3, 7),
      W: randInt(3, 7),
      oC: 1,
      kH: pick([2, 3]),
      kW: pick([2, 3]),
      strides: [1, 1],
      dilations: [1, 1],
      pads: [p, p, p, p],
      G: 1,
      D: 1,
      // Cycle through the four mask/bias combinations.
      mask: index % 2 === 1,
      bias: Math.floor(index / 2) % 2 === 0,
      offsets: 'small',
      border: false,
    };
    for (const t of themes.filter(t => t !== 'kfull')) THEMES[t](c);
    if (themes.includes('kfull')) THEMES.kfull(c);
    // C must split into both groups and offset groups; keep C, oC <= 8.
    const cUnit = (c.G * c.D) / gcd(c.G, c.D);
    if (cUnit > 8) continue;
    c.C = cUnit * randInt(1, Math.floor(8 / cUnit));
    c.oC = c.G * randInt(1, Math.floor(8 / c.G));
    const [oH, oW] = outSize(c);
    if (c.H >= 1 && c.W >= 1 && c.H <= 9 && c.W <= 9 && oH >= 1 && oW >= 1) {
      return c;
    }
  }
  throw new Error(`cannot draw a valid config for ${themes}`);
}

// ---------------------------------------------------------------- offsets

/**
 * ONNX offset layout [N, D, kH, kW, 2(dy, dx), oH, oW] (checked against ORT:
 * channel 0 shifts rows). With c.border, about a third of the samples are
 * moved exactly onto row/col -1 or H/W (one pixel outside) or onto the
 * first/last row/col, where bilinear corner handling matters most.
 */
function makeOffsets(c: Config, oH: number, oW: number): Float32Array {
  const n = c.N * c.D * c.kH * c.kW * 2 * oH * oW;
  const off = {
    zero: () => new Float32Array(n),
    small: () => uniform(n, -2, 2),
    large: () => uniform(n, -12, 12),
    integer: () => Float32Array.from({length: n}, () => randInt(-3, 3)),
  }[c.offsets]();
  if (!c.border) return off;
  let i = 0;
  for (let b = 0; b < c.N * c.D; b++) {
    for (let ky = 0; ky < c.kH; ky++) {
      for (let kx = 0; kx < c.kW; kx++) {
        for (let axis = 0; axis < 2; axis++) {
          const extent = axis === 0 ? c.H : c.W;
          for (let oy = 0; oy < oH; oy++) {
            for (let ox = 0; ox < oW; ox++, i++) {
              if (rand() >= 0.35) continue;
              const base =
                axis === 0
                  ? oy * c.strides[0] - c.pads[0] + ky * c.dilations[0]
                  : ox * c.strides[1] - c.pads[2] + kx * c.dilations[1];
              off[i] = pick([-1, extent, 0, extent - 1]) - base;
            }
          }
        }
      }
    }
  }
  return off;
}

// ---------------------------------------------------------------- running

interface NchwCase {
  c: Config;
  oH: number;
  oW: number;
  x: Float32Array;
  w: Float32Array;
  offset: Float32Array;
  mask?: Float32Array;
  bias?: Float32Array;
}

function drawTensors(c: Config, maskOnes = false): NchwCase {
  const [oH, oW] = outSize(c);
  const kk = c.kH * c.kW;
  return {
    c,
    oH,
    oW,
    x: uniform(c.N * c.C * c.H * c.W, -1, 1),
    w: uniform(c.oC * (c.C / c.G) * kk, -1, 1),
    offset: makeOffsets(c, oH, oW),
    mask: !c.mask
      ? undefined
      : maskOnes
        ? new Float32Array(c.N * c.D * kk * oH * oW).fill(1)
        : uniform(c.N * c.D * kk * oH * oW, 0, 1),
    bias: c.bias ? uniform(c.oC, -1, 1) : undefined,
  };
}

async function runOrt(t: NchwCase): Promise<Float32Array> {
  const {c, oH, oW} = t;
  const kk = c.kH * c.kW;
  const inputs: GraphInput[] = [
    {name: 'X', dims: [c.N, c.C, c.H, c.W], data: t.x},
    {name: 'W', dims: [c.oC, c.C / c.G, c.kH, c.kW], data: t.w},
    {name: 'offset', dims: [c.N, c.D * kk * 2, oH, oW], data: t.offset},
  ];
  if (t.bias) inputs.push({name: 'B', dims: [c.oC], data: t.bias});
  if (t.mask) inputs.push({name: 'mask', dims: [c.N, c.D * kk, oH, oW], data: t.mask});
  // Absent optional inputs are '' in the node's input list; trailing ones
  // are simply left out (DCNv1 = no mask).
  const nodeInputs = ['X', 'W', 'offset'];
  if (t.mask) nodeInputs.push(t.bias ? 'B' : '', 'mask');
  else if (t.bias) nodeInputs.push('B');
  const out = await runGraph({
    opset: OPSET,
    inputs,
    outputs: ['Y'],
    nodes: [
      {
        opType: 'DeformConv',
        inputs: nodeInputs,
        outputs: ['Y'],
        attrs: {
          kernel_shape: [c.kH, c.kW],
          strides: c.strides,
          dilations: c.dilations,
          pads: [c.pads[0], c.pads[2], c.pads[1], c.pads[3]], // ONNX order
          group: c.G,
          offset_group: c.D,
        },
      },
    ],
  });
  const dims = out.Y.dims.join();
  if (dims !== [c.N, c.oC, oH, oW].join()) throw new Error(`ORT dims ${dims}`);
  return out.Y.data;
}

function toJson(name: string, t: NchwCase, y: Float32Array) {
  const {c, oH, oW} = t;
  const kk = c.kH * c.kW;
  const nhwc = (data: Float32Array, shape: number[]) => {
    const r = transpose(data, shape, NCHW_TO_NHWC);
    return {shape: r.shape, data: Array.from(r.data)};
  };
  const w = transpose(t.w, [c.oC, c.C / c.G, c.kH, c.kW], OIHW_TO_HWIO);
  const inputs: Record<string, {shape: number[]; data: number[]}> = {
    x: nhwc(t.x, [c.N, c.C, c.H, c.W]),
    filter: {shape: w.shape, data: Array.from(w.data)},
    offset: nhwc(t.offset, [c.N, c.D * kk * 2, oH, oW]),
  };
  if (t.mask) inputs.mask = nhwc(t.mask, [c.N, c.D * kk, oH, oW]);
  if (t.bias) inputs.bias = {shape: [c.oC], data: Array.from(t.bias)};
  return {
    name,
    attrs: {
      strides: c.strides,
      pad: [
        [c.pads[0], c.pads[1]],
        [c.pads[2], c.pads[3]],
      ],
      dilations: c.dilations,
      groups: c.G,
      offsetGroups: c.D,
    },
    inputs,
    expected: nhwc(y, [c.N, c.oC, oH, oW]),
  };
}

type CaseJson = ReturnType<typeof toJson>;

/** Plain grouped convolution without padding on the channels-last JSON. */
function directConvNhwc(j: CaseJson): Float32Array {
  const [N, H, W, C] = j.inputs.x.shape;
  const [kH, kW, cg, oC] = j.inputs.filter.shape;
  const [, oH, oW] = j.expected.shape;
  const {
    strides: [sH, sW],
    dilations: [dH, dW],
    groups,
  } = j.attrs;
  const x = j.inputs.x.data,
    f = j.inputs.filter.data,
    bias = j.inputs.bias;
  const y = new Float32Array(N * oH * oW * oC);
  let k = 0;
  for (let n = 0; n < N; n++)
    for (let oy = 0; oy < oH; oy++)
      for (let ox = 0; ox < oW; ox++)
        for (let o = 0; o < oC; o++, k++) {
          let acc = bias ? bias.data[o] : 0;
          const c0 = Math.floor(o / (oC / groups)) * cg;
          for (let ky = 0; ky < kH; ky++)
            for (let kx = 0; kx < kW; kx++)
              for (let ci = 0; ci < cg; ci++) {
                const iy = oy * sH + ky * dH,
                  ix = ox * sW + kx * dW;
                acc +=
                  x[((n * H + iy) * W + ix) * C + c0 + ci] * f[((ky * kW + kx) * cg + ci) * oC + o];
              }
          y[k] = acc;
        }
  if (y.length !== j.expected.data.length) throw new Error('self-check size');
  return y;
}

/** Zero offsets + mask 1 + no padding must equal a plain conv. Done on the
 *  written JSON, so it checks model building and all the transposes (not the
 *  library). */
async function selfCheckCase(name: string): Promise<CaseJson> {
  const c: Config = {
    N: 2,
    C: 4,
    H: 7,
    W: 6,
    oC: 6,
    kH: 3,
    kW: 2,
    strides: [2, 1],
    dilations: [1, 2],
    pads: [0, 0, 0, 0],
    G: 2,
    D: 2,
    mask: true,
    bias: true,
    offsets: 'zero',
    border: false,
  };
  const t = drawTensors(c, true);
  const j = toJson(name, t, await runOrt(t));
  const want = directConvNhwc(j);
  let maxDiff = 0;
  j.expected.data.forEach((v, i) => {
    maxDiff = Math.max(maxDiff, Math.abs(v - want[i]));
  });
  if (!(maxDiff <= 1e-4)) throw new Error(`self-check failed: ${maxDiff}`);
  console.log(`self-check vs direct conv: max abs diff ${maxDiff.toExponential(2)}`);
  return j;
}

async function main() {
  const cases: CaseJson[] = [];
  for (const [i, themes] of CASES.entries()) {
    const c = drawConfig(themes, i);
    const desc = [...themes, c.mask ? 'mask' : 'nomask', c.bias ? 'bias' : 'nobias'];
    const name = `ort-${String(i).padStart(2, '0')}-${desc.join('-')}`;
    const t = drawTensors(c);
    cases.push(toJson(name, t, await runOrt(t)));
  }
  const id = String(cases.length).padStart(2, '0');
  cases.push(await selfCheckCase(`ort-${id}-zero-offsets-mask1-plain-conv`));
  for (const j of cases) console.log(`${j.name}: output [${j.expected.shape}]`);
  const fixture = {
    source:
      `onnxruntime-node ${ORT_VERSION} DeformConv (opset ${OPSET}), ` +
      `generated by test/oracle/deform_conv_ort.ts, seed ${SEED}`,
    cases,
  };
  writeFixture('deform_conv_ort.json', fixture);
}

runOracle(main);
