// The DCNv3 core op (InternImage `dcnv3_core_pytorch`, channels-last) as an
// ONNX graph: Pad, Reshape, Transpose, GridSample, Mul, ReduceSum, with the
// constant reference points / dilation grid built the way the PyTorch code
// builds them. Used by the oracle (test/oracle/dcnv3_ort.ts, run by
// onnxruntime-node) and by the benchmark (onnxruntime-web on the same graph).
// Imports only types, so it bundles for the browser.
import type {GraphInput, OnnxNode} from './onnx_graph';

// GridSample: opset 16-19 call bilinear 'bilinear', opset >= 20 'linear'.
export const OPSET = 22;
const GS_MODE = OPSET >= 20 ? 'linear' : 'bilinear';
export const GRID_SAMPLE_ATTRS = {mode: GS_MODE, padding_mode: 'zeros', align_corners: 0};

const f32 = (xs: ArrayLike<number>) => Float32Array.from(xs);
const i64 = (xs: number[]) => BigInt64Array.from(xs.map(BigInt));
function linspace(start: number, end: number, steps: number): number[] {
  if (steps === 1) return [Math.fround(start)];
  const step = (end - start) / (steps - 1);
  return Array.from({length: steps}, (_, i) => Math.fround(start + i * step));
}

/** torch.meshgrid(a, b) with the default 'ij' indexing, flattened. */
function meshgridIJ(a: number[], b: number[]): [number[], number[]] {
  const A: number[] = [],
    B: number[] = [];
  for (const u of a)
    for (const v of b) {
      A.push(u);
      B.push(v);
    }
  return [A, B];
}

export interface Config {
  N: number;
  H: number;
  W: number;
  G: number;
  Cg: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  pads: [number, number, number, number]; // top, bottom, left, right
  s: number; // offset_scale
  offsets: 'small' | 'large' | 'integer';
}

export const outSize = (c: Config): [number, number] => [
  Math.floor((c.H + c.pads[0] + c.pads[1] - c.dh * (c.kh - 1) - 1) / c.sh) + 1,
  Math.floor((c.W + c.pads[2] + c.pads[3] - c.dw * (c.kw - 1) - 1) / c.sw) + 1,
];
export const isSymmetric = (c: Config) => c.pads[0] === c.pads[1] && c.pads[2] === c.pads[3];

export interface Tensors {
  c: Config;
  Ho: number;
  Wo: number;
  x: Float32Array;
  offset: Float32Array;
  mask: Float32Array;
}

/** Graph pieces: nodes, their inputs, and the constants (initializers) they need. */
export class GraphBuilder {
  nodes: OnnxNode[] = [];
  inputs: GraphInput[] = [];
  initializers: GraphInput[] = [];
  private n = 0;
  constF(dims: number[], data: ArrayLike<number>): string {
    const name = `cf${this.n++}`;
    this.initializers.push({name, dims, data: f32(data)});
    return name;
  }
  constI(data: number[]): string {
    const name = `ci${this.n++}`;
    this.initializers.push({name, dims: [data.length], data: i64(data)});
    return name;
  }
  op(opType: string, inputs: string[], attrs?: OnnxNode['attrs']): string {
    const out = `t${this.n++}_${opType}`;
    this.nodes.push({opType, inputs, outputs: [out], attrs});
    return out;
  }
  reshape(x: string, shape: number[]) {
    return this.op('Reshape', [x, this.constI(shape)]);
  }
  transpose(x: string, perm: number[]) {
    return this.op('Transpose', [x], {perm});
  }
}

/**
 * Shared tail of dcnv3_core_pytorch: `xImg` is the (padded or not) NHWC
 * input of size Hi x Wi, `grid` the grid_sample coordinates
 * [N, Ho, Wo, G*P*2]. Group split, GridSample, mask, sum over points.
 */
function sampleAndReduce(
  b: GraphBuilder,
  t: Tensors,
  xImg: string,
  Hi: number,
  Wi: number,
  grid: string,
): string {
  const {c, Ho, Wo} = t;
  const P = c.kh * c.kw,
    C = c.G * c.Cg,
    L = Ho * Wo;
  // (N, Hi*Wi, G*Cg) -> (N, G*Cg, Hi*Wi) -> (N*G, Cg, Hi, Wi)
  const xr = b.reshape(b.transpose(b.reshape(xImg, [c.N, Hi * Wi, C]), [0, 2, 1]), [
    c.N * c.G,
    c.Cg,
    Hi,
    Wi,
  ]);
  // (N, L, G, P, 2) -> (N, G, L, P, 2) -> (N*G, L, P, 2)
  const gr = b.reshape(b.transpose(b.reshape(grid, [c.N, L, c.G, P, 2]), [0, 2, 1, 3, 4]), [
    c.N * c.G,
    L,
    P,
    2,
  ]);
  const sampled = b.op('GridSample', [xr, gr], GRID_SAMPLE_ATTRS); // (N*G, Cg, L, P)
  // mask (N, Ho, Wo, G*P) -> (N, L, G, P) -> (N, G, L, P) -> (N*G, 1, L, P)
  const m = b.reshape(b.transpose(b.reshape('mask', [c.N, L, c.G, P]), [0, 2, 1, 3]), [
    c.N * c.G,
    1,
    L,
    P,
  ]);
  const summed = b.op('ReduceSum', [b.op('Mul', [sampled, m]), b.constI([-1])], {keepdims: 0}); // (N*G, Cg, L)
  return b.reshape(b.transpose(b.reshape(summed, [c.N, C, L]), [0, 2, 1]), [c.N, Ho, Wo, C]);
}

function baseBuilder(t: Tensors): GraphBuilder {
  const {c, Ho, Wo} = t;
  const P = c.kh * c.kw;
  const b = new GraphBuilder();
  b.inputs.push(
    {name: 'x', dims: [c.N, c.H, c.W, c.G * c.Cg], data: t.x},
    {name: 'offset', dims: [c.N, Ho, Wo, c.G * P * 2], data: t.offset},
    {name: 'mask', dims: [c.N, Ho, Wo, c.G * P], data: t.mask},
  );
  return b;
}

/**
 * The dcnv3_core_pytorch construction: pad the input, reference points
 * (kernel centres of the padded image, normalised by its size), dilation
 * grid (normalised), loc = ref + grid * s + offset * s / size, 2 * loc - 1.
 * Padding follows the CUDA op's meaning (H by pad_h, W by pad_w); the PyTorch
 * reference's F.pad swaps the two, which matters only when pad_h != pad_w.
 */
export function pytorchGraph(t: Tensors) {
  const {c, Ho, Wo} = t;
  if (!isSymmetric(c)) throw new Error('pytorchGraph needs symmetric pads');
  const P = c.kh * c.kw;
  const padH = c.pads[0],
    padW = c.pads[2];
  const Hi = c.H + 2 * padH,
    Wi = c.W + 2 * padW;
  const b = baseBuilder(t);
  const xp = b.op('Pad', ['x', b.constI([0, padH, padW, 0, 0, padH, padW, 0])], {mode: 'constant'});

  // _get_reference_points: H_out is recomputed from the padded size there.
  const HoRef = Math.floor((Hi - (c.dh * (c.kh - 1) + 1)) / c.sh) + 1;
  const WoRef = Math.floor((Wi - (c.dw * (c.kw - 1) + 1)) / c.sw) + 1;
  if (HoRef !== Ho || WoRef !== Wo) throw new Error('reference size mismatch');
  const y0 = Math.floor((c.dh * (c.kh - 1)) / 2) + 0.5;
  const x0 = Math.floor((c.dw * (c.kw - 1)) / 2) + 0.5;
  const [refY, refX] = meshgridIJ(
    linspace(y0, y0 + (Ho - 1) * c.sh, Ho),
    linspace(x0, x0 + (Wo - 1) * c.sw, Wo),
  );
  const ref: number[] = []; // (1, Ho, Wo, 1, 2), last axis (x, y)
  for (let i = 0; i < Ho * Wo; i++) {
    ref.push(Math.fround(refX[i] / Wi), Math.fround(refY[i] / Hi));
  }

  // _generate_dilation_grids: meshgrid(x over kw, y over kh) -> p = a*kh + b.
  const cw = Math.floor((c.dw * (c.kw - 1)) / 2);
  const ch = Math.floor((c.dh * (c.kh - 1)) / 2);
  const [gx, gy] = meshgridIJ(
    linspace(-cw, -cw + (c.kw - 1) * c.dw, c.kw),
    linspace(-ch, -ch + (c.kh - 1) * c.dh, c.kh),
  );
  const pts: number[] = []; // (P, 2)
  for (let p = 0; p < P; p++) {
    pts.push(Math.fround(gx[p] / Wi), Math.fround(gy[p] / Hi));
  }
  const dil: number[] = []; // repeat over groups -> (1, 1, 1, G*P, 2)
  for (let g = 0; g < c.G; g++) dil.push(...pts);

  const scale = b.constF([], [c.s]);
  const locBase = b.op('Add', [
    b.constF([1, Ho, Wo, 1, 2], ref),
    b.op('Mul', [b.constF([1, 1, 1, c.G * P, 2], dil), scale]),
  ]); // (1, Ho, Wo, G*P, 2)
  const locTiled = b.reshape(b.op('Tile', [locBase, b.constI([c.N, 1, 1, 1, 1])]), [
    c.N,
    Ho,
    Wo,
    c.G * P * 2,
  ]); // .repeat(N, ...).flatten(3, 4)
  const norm: number[] = []; // spatial_norm: (W_in, H_in) repeated
  for (let k = 0; k < c.G * P; k++) norm.push(Wi, Hi);
  const loc = b.op('Add', [
    locTiled,
    b.op('Div', [b.op('Mul', ['offset', scale]), b.constF([1, 1, 1, c.G * P * 2], norm)]),
  ]);
  const grid = b.op('Sub', [b.op('Mul', [loc, b.constF([], [2])]), b.constF([], [1])]);
  const y = sampleAndReduce(b, t, xp, Hi, Wi, grid);
  return {b, y, grid, Hi, Wi};
}

/**
 * CUDA op meaning, any pads: in unpadded pixels
 *   X = ow*sw - padLeft + cw + s*(a*dw - cw + dx),
 *   Y = oh*sh - padTop  + ch + s*(b*dh - ch + dy),
 * sampled from the unpadded input (zeros outside), grid = (2X + 1)/W - 1.
 */
export function cudaGraph(t: Tensors) {
  const {c, Ho, Wo} = t;
  const P = c.kh * c.kw;
  const cw = Math.floor((c.dw * (c.kw - 1)) / 2);
  const ch = Math.floor((c.dh * (c.kh - 1)) / 2);
  const base: number[] = []; // (1, Ho, Wo, G*P*2): X, Y without the offset
  for (let oh = 0; oh < Ho; oh++) {
    for (let ow = 0; ow < Wo; ow++) {
      for (let g = 0; g < c.G; g++) {
        for (let a = 0; a < c.kw; a++) {
          for (let bb = 0; bb < c.kh; bb++) {
            // p = a*kh + bb
            base.push(
              ow * c.sw - c.pads[2] + cw + c.s * (a * c.dw - cw),
              oh * c.sh - c.pads[0] + ch + c.s * (bb * c.dh - ch),
            );
          }
        }
      }
    }
  }
  const size: number[] = [];
  for (let k = 0; k < c.G * P; k++) size.push(c.W, c.H);
  const b = baseBuilder(t);
  const pix = b.op('Add', [
    b.constF([1, Ho, Wo, c.G * P * 2], base),
    b.op('Mul', ['offset', b.constF([], [c.s])]),
  ]);
  const grid = b.op('Sub', [
    b.op('Div', [
      b.op('Add', [b.op('Mul', [pix, b.constF([], [2])]), b.constF([], [1])]),
      b.constF([1, 1, 1, c.G * P * 2], size),
    ]),
    b.constF([], [1]),
  ]);
  const y = sampleAndReduce(b, t, 'x', c.H, c.W, grid);
  return {b, y, grid, pix};
}
