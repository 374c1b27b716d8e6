/**
 * Seeded hostile calls of every op, for test/specs/robustness_fuzz.spec.ts:
 * random valid configurations, then one of: valid as generated, offsets (and
 * RoIs) poisoned with NaN / ±Infinity / 1e30, every float input poisoned, an
 * empty batch (N = 0, or R = 0 RoIs), huge / inverted / non-finite RoIs, an
 * output over DEFORM_MAX_TENSOR_BYTES, or one invalid argument (int32, wrong
 * rank, mismatched batch or channels, missing, empty image, zero / negative /
 * fractional / non-finite attributes, a bad pad, a RoI batch index outside
 * [0, N)). Cases are plain data (no tensor is made before a backend is
 * chosen); {@link runCase} makes the tensors, calls the op (and its
 * gradients), and checks the promise of the README's "Hostile input" table.
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

import {
  dcnv3,
  deformConv2d,
  deformPsRoiPool,
  deformRoiPool,
  involution,
  modulatedDeformConv2d,
  modulatedDeformRoiPool,
} from '../../src/index';
import {MAX_TENSOR_BYTES} from '../../src/flags';
import {heapMemory} from '../../src/kernels/wasm/deform_wasm_module';

export const OPS = {
  deformConv2d,
  modulatedDeformConv2d,
  dcnv3,
  involution,
  deformRoiPool,
  modulatedDeformRoiPool,
  deformPsRoiPool,
} as unknown as Record<OpName, (args: Record<string, unknown>) => tf.Tensor>;

export type OpName =
  | 'deformConv2d'
  | 'modulatedDeformConv2d'
  | 'dcnv3'
  | 'involution'
  | 'deformRoiPool'
  | 'modulatedDeformRoiPool'
  | 'deformPsRoiPool';

export const OP_NAMES = Object.keys(OPS) as OpName[];

const CONV_ARGS = ['x', 'filter', 'offset', 'mask', 'bias', 'strides', 'pad', 'dilations'];
/** The words an op's error may name: its arguments (and "output", "RoI"). */
export const ARG_NAMES: Record<OpName, string[]> = {
  deformConv2d: [...CONV_ARGS, 'groups', 'offsetGroups', 'output'],
  modulatedDeformConv2d: [...CONV_ARGS, 'groups', 'offsetGroups', 'output'],
  dcnv3: [
    'x',
    'offset',
    'mask',
    'kernelSize',
    'strides',
    'pad',
    'dilations',
    'groups',
    'offsetScale',
    'removeCenter',
    'output',
  ],
  involution: ['x', 'kernel', 'kernelSize', 'strides', 'pad', 'dilations', 'groups', 'output'],
  deformRoiPool: [
    'x',
    'rois',
    'RoI',
    'offset',
    'outputSize',
    'spatialScale',
    'samplingRatio',
    'gamma',
    'output',
  ],
  modulatedDeformRoiPool: [
    'x',
    'rois',
    'RoI',
    'offset',
    'mask',
    'outputSize',
    'spatialScale',
    'samplingRatio',
    'gamma',
    'output',
  ],
  deformPsRoiPool: [
    'x',
    'rois',
    'RoI',
    'offset',
    'outputDim',
    'groupSize',
    'outputSize',
    'partSize',
    'samplesPerPart',
    'spatialScale',
    'transStd',
    'output',
  ],
};

/** A tensor argument as data: made into a tensor only when the case runs. */
export interface TensorSpec {
  shape: number[];
  values: Float32Array;
  dtype: 'float32' | 'int32';
}

export type Kind =
  'valid' | 'poisonOffsets' | 'poisonAll' | 'empty' | 'hostileRois' | 'oversized' | 'invalid';

export interface RobustCase {
  op: OpName;
  kind: Kind;
  /** What was generated or changed, for failure messages. */
  what: string;
  tensors: Record<string, TensorSpec>;
  attrs: Record<string, unknown>;
  /** The output shape, or null: the call must throw. */
  shape: number[] | null;
  /** Float tensor arguments to differentiate (when the call succeeds). */
  diff: string[];
  /** When it throws, its message must name one of these (default: any argument of the op). */
  names?: string[];
  /** The message must also match this. */
  message?: RegExp;
  /** Output and gradients must be all finite (hostile values only where the op promises zeros). */
  finite: boolean;
  /** Gradients that must be all zero (the filter and bias of an empty batch). */
  zeroGrads: string[];
  /** DEFORM_MAX_TENSOR_BYTES for this call. */
  maxBytes?: number;
}

export const POISON = [NaN, Infinity, -Infinity, 1e30, -1e30];
const HUGE_ROI = [1e4, -1e4, 1e6, -1e6, 1e30, -1e30];
const NON_FINITE = [NaN, Infinity, -Infinity];

type Random = () => number;

class Gen {
  constructor(readonly random: Random) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }
  pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.random() * values.length)];
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  tensor(shape: number[], lo = -1, hi = 1): TensorSpec {
    const size = shape.reduce((a, b) => a * b, 1);
    return {
      shape,
      values: Float32Array.from({length: size}, () => lo + (hi - lo) * this.random()),
      dtype: 'float32',
    };
  }
}

const outExtent = (size: number, k: number, s: number, d: number, before: number, after: number) =>
  Math.floor((size + before + after - d * (k - 1) - 1) / s) + 1;

interface Window {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** The pad argument as given (undefined: the op's default). */
  pad: unknown;
  out: [number, number];
}

/** A random window over `h x w` with an output of at least 1x1 (undefined pad: `defaultPad` per side). */
function randomWindow(
  g: Gen,
  h: number,
  w: number,
  defaultPad: (k: number, d: number) => number,
  allowDefault: boolean,
): Window | null {
  const kernel: [number, number] = [g.int(1, 3), g.int(1, 3)];
  const strides: [number, number] = [g.int(1, 2), g.int(1, 2)];
  const dilations: [number, number] = [g.int(1, 2), g.int(1, 2)];
  const form = g.int(allowDefault ? 0 : 1, 5);
  let pad: unknown;
  let pads: [[number, number], [number, number]];
  if (form === 0) {
    pad = undefined;
    const [ph, pw] = [0, 1].map(a => defaultPad(kernel[a], dilations[a]));
    pads = [
      [ph, ph],
      [pw, pw],
    ];
  } else if (form === 1) {
    const p = g.int(0, 2);
    pad = p;
    pads = [
      [p, p],
      [p, p],
    ];
  } else if (form === 2) {
    const [ph, pw] = [g.int(0, 2), g.int(0, 2)];
    pad = [ph, pw];
    pads = [
      [ph, ph],
      [pw, pw],
    ];
  } else if (form === 3) {
    pads = [
      [g.int(0, 2), g.int(0, 2)],
      [g.int(0, 2), g.int(0, 2)],
    ];
    pad = pads;
  } else if (form === 4) {
    pad = 'valid';
    pads = [
      [0, 0],
      [0, 0],
    ];
  } else {
    pad = 'same';
    const out: [number, number] = [Math.ceil(h / strides[0]), Math.ceil(w / strides[1])];
    return {kernel, strides, dilations, pad, out};
  }
  const out: [number, number] = [
    outExtent(h, kernel[0], strides[0], dilations[0], ...pads[0]),
    outExtent(w, kernel[1], strides[1], dilations[1], ...pads[1]),
  ];
  return out[0] >= 1 && out[1] >= 1 ? {kernel, strides, dilations, pad, out} : null;
}

/** A valid call, before the kind's change; `batch` is N (window ops) or R (RoI ops). */
interface Base {
  op: OpName;
  what: string;
  tensors: Record<string, TensorSpec>;
  attrs: Record<string, unknown>;
  shape: number[];
  diff: string[];
  /** Tensors whose hostile values the op promises to turn into zero samples (rois: coordinates). */
  offsets: string[];
  /** Tensors with a leading per-image (or per-RoI) axis besides x. */
  perBatch: string[];
  /** Tensors the op requires. */
  required: string[];
  /** Attributes that must be positive integers (number or pair). */
  intAttrs: string[];
  /** Attributes that must be finite numbers. */
  finiteAttrs: string[];
  hasPad: boolean;
  /** Channels of x (for a groups that does not divide them). */
  channels: number;
}

function convBase(g: Gen, modulated: boolean, n: number, rank3: boolean): Base {
  for (;;) {
    const groups = g.pick([1, 1, 2]);
    const offsetGroups = g.pick([1, 1, 2]);
    const channels = Math.max(groups, offsetGroups) * g.int(1, 2);
    const [h, w] = [g.int(1, 6), g.int(1, 6)];
    const win = randomWindow(g, h, w, () => 0, true);
    if (win == null) continue;
    const [kh, kw] = win.kernel;
    const cout = groups * g.int(1, 2);
    const per = [n, ...win.out];
    const taps = offsetGroups * kh * kw;
    const tensors: Record<string, TensorSpec> = {
      x: g.tensor([n, h, w, channels]),
      filter: g.tensor([kh, kw, channels / groups, cout]),
      offset: g.tensor([...per, 2 * taps], -3, 3),
    };
    if (modulated) tensors.mask = g.tensor([...per, taps], 0, 1);
    if (g.chance(0.5)) tensors.bias = g.tensor([cout]);
    let shape = [...per, cout];
    if (rank3) {
      for (const k of ['x', 'offset', 'mask']) {
        if (tensors[k]) tensors[k].shape = tensors[k].shape.slice(1);
      }
      shape = shape.slice(1);
    }
    const attrs: Record<string, unknown> = {
      strides: g.chance(0.5)
        ? win.strides
        : win.strides[0] === win.strides[1]
          ? win.strides[0]
          : win.strides,
      dilations: win.dilations,
      pad: win.pad,
      groups,
      offsetGroups,
    };
    return {
      op: modulated ? 'modulatedDeformConv2d' : 'deformConv2d',
      what: `x [${tensors.x.shape}] filter [${tensors.filter.shape}] ${JSON.stringify(attrs)}`,
      tensors,
      attrs,
      shape,
      diff: Object.keys(tensors),
      offsets: ['offset'],
      perBatch: rank3 ? [] : modulated ? ['offset', 'mask'] : ['offset'],
      required: modulated ? ['x', 'filter', 'offset', 'mask'] : ['x', 'filter', 'offset'],
      intAttrs: ['strides', 'dilations', 'groups', 'offsetGroups'],
      finiteAttrs: [],
      hasPad: true,
      channels,
    };
  }
}

function dcnv3Base(g: Gen, n: number, rank3: boolean): Base {
  for (;;) {
    const groups = g.int(1, 3);
    const channels = groups * g.int(1, 2);
    const [h, w] = [g.int(1, 6), g.int(1, 6)];
    const win = randomWindow(g, h, w, () => 0, true);
    if (win == null) continue;
    const [kh, kw] = win.kernel;
    const removeCenter = kh % 2 === 1 && kw % 2 === 1 && kh * kw > 1 && g.chance(0.5);
    const points = kh * kw - (removeCenter ? 1 : 0);
    const per = [n, ...win.out];
    const tensors: Record<string, TensorSpec> = {
      x: g.tensor([n, h, w, channels]),
      offset: g.tensor([...per, groups * points * 2], -3, 3),
      mask: g.tensor([...per, groups * points], 0, 1),
    };
    let shape = [...per, channels];
    if (rank3) {
      for (const k of Object.keys(tensors)) tensors[k].shape = tensors[k].shape.slice(1);
      shape = shape.slice(1);
    }
    const attrs = {
      kernelSize: win.kernel,
      strides: win.strides,
      dilations: win.dilations,
      pad: win.pad,
      groups,
      offsetScale: g.pick([1, 0.5, 1.5]),
      removeCenter,
    };
    return {
      op: 'dcnv3',
      what: `x [${tensors.x.shape}] ${JSON.stringify(attrs)}`,
      tensors,
      attrs,
      shape,
      diff: ['x', 'offset', 'mask'],
      offsets: ['offset'],
      perBatch: rank3 ? [] : ['offset', 'mask'],
      required: ['x', 'offset', 'mask'],
      intAttrs: ['kernelSize', 'strides', 'dilations', 'groups'],
      finiteAttrs: ['offsetScale'],
      hasPad: true,
      channels,
    };
  }
}

function involutionBase(g: Gen, n: number, rank3: boolean): Base {
  for (;;) {
    const groups = g.int(1, 3);
    const channels = groups * g.int(1, 2);
    const [h, w] = [g.int(1, 6), g.int(1, 6)];
    const win = randomWindow(g, h, w, (k, d) => Math.floor((k - 1) / 2) * d, true);
    if (win == null) continue;
    const [kh, kw] = win.kernel;
    const per = [n, ...win.out];
    const tensors: Record<string, TensorSpec> = {
      x: g.tensor([n, h, w, channels]),
      kernel: g.tensor([...per, groups * kh * kw]),
    };
    let shape = [...per, channels];
    if (rank3) {
      for (const k of Object.keys(tensors)) tensors[k].shape = tensors[k].shape.slice(1);
      shape = shape.slice(1);
    }
    const attrs = {
      kernelSize: win.kernel,
      strides: win.strides,
      dilations: win.dilations,
      pad: win.pad,
      groups,
    };
    return {
      op: 'involution',
      what: `x [${tensors.x.shape}] ${JSON.stringify(attrs)}`,
      tensors,
      attrs,
      shape,
      diff: ['x', 'kernel'],
      offsets: [],
      perBatch: rank3 ? [] : ['kernel'],
      required: ['x', 'kernel'],
      intAttrs: ['kernelSize', 'strides', 'dilations', 'groups'],
      finiteAttrs: [],
      hasPad: true,
      channels,
    };
  }
}

/** `count` RoIs over an `n`-image batch of `h x w` maps at `scale` (image coordinates). */
function randomRois(g: Gen, count: number, n: number, h: number, w: number, scale: number) {
  const values: number[] = [];
  for (let r = 0; r < count; r++) {
    const [x1, y1] = [(g.random() * (w + 2) - 1) / scale, (g.random() * (h + 2) - 1) / scale];
    const [x2, y2] = [x1 + (g.random() * w) / scale, y1 + (g.random() * h) / scale];
    values.push(g.int(0, n - 1), x1, y1, x2, y2);
  }
  return {shape: [count, 5], values: Float32Array.from(values), dtype: 'float32'} as TensorSpec;
}

function roiBase(g: Gen, op: OpName, roiCount: number): Base {
  const n = g.int(1, 2);
  const [h, w] = [g.int(1, 6), g.int(1, 6)];
  const spatialScale = g.pick([1, 0.5]);
  const outputSize: [number, number] = [g.int(1, 3), g.int(1, 3)];
  const rois = randomRois(g, roiCount, n, h, w, spatialScale);
  if (op === 'deformPsRoiPool') {
    const outputDim = g.int(1, 3);
    const groupSize = g.int(1, 2);
    const channels = outputDim * groupSize * groupSize;
    const partSize: [number, number] | undefined = g.chance(0.5)
      ? [g.int(1, 3), g.int(1, 3)]
      : undefined;
    const part = partSize ?? outputSize;
    const tensors: Record<string, TensorSpec> = {x: g.tensor([n, h, w, channels]), rois};
    const noTrans = g.chance(0.2);
    const withOffset = g.chance(0.7);
    if (withOffset) {
      const classes = g.pick([1, outputDim]);
      tensors.offset = g.tensor([roiCount, ...part, 2 * classes], -2, 2);
    }
    const attrs: Record<string, unknown> = {
      outputDim,
      groupSize,
      outputSize: g.chance(0.5) && outputSize[0] === outputSize[1] ? outputSize[0] : outputSize,
      partSize,
      samplesPerPart: g.int(1, 3),
      spatialScale,
      transStd: g.pick([0, 0.1]),
      noTrans,
    };
    return {
      op,
      what: `x [${tensors.x.shape}] ${roiCount} RoIs ${JSON.stringify(attrs)}`,
      tensors,
      attrs,
      shape: [roiCount, ...outputSize, outputDim],
      diff: withOffset && !noTrans ? ['x', 'offset'] : ['x'],
      offsets: withOffset ? ['offset', 'rois'] : ['rois'],
      perBatch: withOffset ? ['offset'] : [],
      required: ['x', 'rois'],
      intAttrs: ['outputDim', 'groupSize', 'outputSize', 'partSize', 'samplesPerPart'],
      finiteAttrs: ['spatialScale', 'transStd'],
      hasPad: false,
      channels,
    };
  }
  const modulated = op === 'modulatedDeformRoiPool';
  const channels = g.int(1, 3);
  const tensors: Record<string, TensorSpec> = {x: g.tensor([n, h, w, channels]), rois};
  const bins = [roiCount, ...outputSize];
  if (modulated || g.chance(0.7)) tensors.offset = g.tensor([...bins, 2], -2, 2);
  if (modulated) tensors.mask = g.tensor([...bins, 1], 0, 1);
  const attrs = {
    outputSize,
    spatialScale,
    samplingRatio: g.int(0, 2),
    gamma: g.pick([0.1, 0.5]),
  };
  const perBin = Object.keys(tensors).filter(k => k === 'offset' || k === 'mask');
  return {
    op,
    what: `x [${tensors.x.shape}] ${roiCount} RoIs ${JSON.stringify(attrs)}`,
    tensors,
    attrs,
    shape: [...bins, channels],
    diff: ['x', ...perBin],
    offsets: tensors.offset ? ['offset', 'rois'] : ['rois'],
    perBatch: perBin,
    required: modulated ? ['x', 'rois', 'offset', 'mask'] : ['x', 'rois'],
    intAttrs: ['outputSize', 'samplingRatio'],
    finiteAttrs: ['spatialScale', 'gamma'],
    hasPad: false,
    channels,
  };
}

const isRoiOp = (op: OpName) => op.endsWith('RoiPool');

function base(g: Gen, op: OpName, batch: number, rank3: boolean): Base {
  switch (op) {
    case 'deformConv2d':
      return convBase(g, false, batch, rank3);
    case 'modulatedDeformConv2d':
      return convBase(g, true, batch, rank3);
    case 'dcnv3':
      return dcnv3Base(g, batch, rank3);
    case 'involution':
      return involutionBase(g, batch, rank3);
    default:
      return roiBase(g, op, batch);
  }
}

/** Replaces a fraction of the entries with hostile values (for rois: coordinates only). */
function poison(g: Gen, spec: TensorSpec, key: string, values: readonly number[], rate = 0.2) {
  const v = spec.values.slice();
  for (let i = 0; i < v.length; i++) {
    if ((key !== 'rois' || i % 5 !== 0) && g.chance(rate)) v[i] = g.pick(values);
  }
  return {...spec, values: v};
}

function resized(g: Gen, spec: TensorSpec, shape: number[]): TensorSpec {
  return {...g.tensor(shape), dtype: spec.dtype};
}

/** One invalid change of a valid call: the names its error may give. */
function invalidChange(g: Gen, b: Base): {what: string; names: string[]} {
  const t = b.tensors;
  const options: Array<() => {what: string; names: string[]}> = [];
  for (const k of Object.keys(t)) {
    options.push(() => {
      t[k] = {...t[k], values: t[k].values.map(Math.round), dtype: 'int32'};
      return {what: `int32 ${k}`, names: [k]};
    });
    options.push(() => {
      t[k] = {...t[k], shape: [1, ...t[k].shape]};
      return {what: `${k} of rank ${t[k].shape.length}`, names: [k]};
    });
    if (k !== 'x' && k !== 'rois') {
      options.push(() => {
        const shape = t[k].shape.slice();
        // The filter's input channels (its output channels may change validly without a bias).
        shape[k === 'filter' ? 2 : shape.length - 1] += 1;
        t[k] = resized(g, t[k], shape);
        return {what: `${k} [${shape}]`, names: [k]};
      });
    }
  }
  for (const k of b.perBatch) {
    options.push(() => {
      const shape = t[k].shape.slice();
      shape[0] += 1;
      t[k] = resized(g, t[k], shape);
      return {what: `${k} with batch ${shape[0]} (mismatched)`, names: [k]};
    });
  }
  for (const k of b.required) {
    options.push(() => {
      delete t[k];
      return {what: `no ${k}`, names: [k]};
    });
  }
  options.push(() => {
    const shape = t.x.shape.slice();
    shape[shape.length - 3 + g.int(0, 2)] = 0;
    t.x = {shape, values: new Float32Array(0), dtype: 'float32'};
    return {what: `empty x [${shape}]`, names: ['x']};
  });
  for (const a of b.intAttrs) {
    options.push(() => {
      const bad = g.pick([0, -1, 1.5, NaN, Infinity]);
      const value = g.chance(0.5) ? bad : g.chance(0.5) ? [1, bad] : [bad];
      b.attrs[a] = value;
      // samplingRatio 0 is adaptive (valid): only its negative or fractional values are bad.
      if (a === 'samplingRatio' && bad === 0) b.attrs[a] = -1;
      return {what: `${a} ${JSON.stringify(b.attrs[a])}`, names: [a]};
    });
  }
  for (const a of b.finiteAttrs) {
    options.push(() => {
      b.attrs[a] = g.pick(NON_FINITE);
      return {what: `${a} ${b.attrs[a]}`, names: [a]};
    });
  }
  if (b.hasPad) {
    options.push(() => {
      b.attrs.pad = g.pick<unknown>([
        -1,
        0.5,
        NaN,
        'full',
        [1],
        [1, -1],
        [
          [1, -1],
          [0, 0],
        ],
        [
          [0, 0.5],
          [0, 0],
        ],
      ]);
      return {what: `pad ${JSON.stringify(b.attrs.pad)}`, names: ['pad']};
    });
    options.push(() => {
      b.attrs.groups = b.channels + 1;
      return {what: `groups ${b.channels + 1} of ${b.channels} channels`, names: ['groups']};
    });
  }
  if (isRoiOp(b.op) && t.rois.shape[0] > 0) {
    options.push(() => {
      const n = t.x.shape[0];
      const v = t.rois.values.slice();
      const r = g.int(0, t.rois.shape[0] - 1);
      v[5 * r] = g.pick([n, -1, NaN, n + 0.5, 1e9, Infinity]);
      t.rois = {...t.rois, values: v};
      return {what: `RoI ${r} with batch index ${v[5 * r]} (N = ${n})`, names: ['RoI']};
    });
    options.push(() => {
      t.rois = resized(g, t.rois, [t.rois.shape[0], g.pick([4, 6])]);
      return {what: `rois [${t.rois.shape}]`, names: ['rois']};
    });
  }
  return g.pick(options)();
}

/**
 * The case kinds in the order they are dealt: the first few (all the
 * emulated-GPU backends run) cover the hostile values, an invalid argument
 * and an empty batch.
 */
const KINDS: Kind[] = [
  'poisonOffsets',
  'invalid',
  'empty',
  'hostileRois',
  'valid',
  'invalid',
  'oversized',
  'poisonAll',
  'invalid',
];

/** Case `index` of `op` (seeded by both: the same case on every backend). */
export function makeCase(op: OpName, index: number, seed = 1): RobustCase {
  const g = new Gen(rngFor(seed * 1000 + OP_NAMES.indexOf(op) * 100 + index));
  let kind = KINDS[index % KINDS.length];
  if (kind === 'hostileRois' && !isRoiOp(op)) kind = 'poisonOffsets';
  if (kind === 'poisonOffsets' && op === 'involution') kind = 'poisonAll'; // no offsets
  const rank3 = kind === 'valid' && !isRoiOp(op) && g.chance(0.4);
  // Rank-3 x (no batch axis) is a batch of one.
  const batch = kind === 'empty' ? 0 : isRoiOp(op) ? g.int(1, 3) : rank3 ? 1 : g.int(1, 2);
  const b = base(g, op, batch, rank3);
  const c: RobustCase = {
    op,
    kind,
    what: b.what,
    tensors: b.tensors,
    attrs: b.attrs,
    shape: b.shape,
    diff: b.diff,
    finite: true,
    zeroGrads: [],
  };
  switch (kind) {
    case 'poisonOffsets':
      for (const k of b.offsets) c.tensors[k] = poison(g, c.tensors[k], k, POISON);
      c.what += `; poisoned ${b.offsets}`;
      break;
    case 'poisonAll':
      for (const k of Object.keys(c.tensors))
        c.tensors[k] = poison(g, c.tensors[k], k, POISON, 0.1);
      c.finite = false;
      c.what += '; every float input poisoned';
      break;
    case 'hostileRois': {
      const rois = c.tensors.rois.values.slice();
      const forms: string[] = [];
      for (let r = 0; r < c.tensors.rois.shape[0]; r++) {
        const form = g.pick(['huge', 'inverted', 'nonFinite', 'hugeCorner']);
        forms.push(form);
        for (let j = 1; j <= 4; j++) {
          const at = 5 * r + j;
          if (form === 'huge') rois[at] = (j <= 2 ? -1 : 1) * Math.abs(g.pick(HUGE_ROI));
          else if (form === 'hugeCorner' && g.chance(0.5)) rois[at] = g.pick(HUGE_ROI);
          else if (form === 'nonFinite' && g.chance(0.5)) rois[at] = g.pick(NON_FINITE);
        }
        if (form === 'inverted') {
          [rois[5 * r + 1], rois[5 * r + 3]] = [rois[5 * r + 3] + 1, rois[5 * r + 1]];
        }
      }
      c.tensors.rois = {...c.tensors.rois, values: rois};
      if ('samplingRatio' in c.attrs && g.chance(0.7)) c.attrs.samplingRatio = 0; // adaptive
      c.what += `; RoIs ${forms} ${JSON.stringify(Array.from(rois))}`;
      break;
    }
    case 'empty':
      c.zeroGrads = c.diff.filter(k => k === 'filter' || k === 'bias');
      c.what += '; empty batch';
      break;
    case 'oversized': {
      const bytes = 4 * b.shape.reduce((x, y) => x * y, 1);
      c.maxBytes = bytes - 4;
      c.shape = null;
      c.names = ['output'];
      c.message = new RegExp(`${MAX_TENSOR_BYTES}`);
      c.what += `; ${MAX_TENSOR_BYTES} ${c.maxBytes} for an output of ${bytes} bytes`;
      break;
    }
    case 'invalid': {
      const change = invalidChange(g, b);
      c.shape = null;
      c.names = change.names;
      c.what += `; ${change.what}`;
      break;
    }
    default:
      break;
  }
  return c;
}

function rngFor(seed: number): Random {
  // mulberry32, as test/util/random.ts (inlined so seeds of nearby cases decorrelate by a hash first).
  let s = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generous bound on one call (a hang is a failure); no other timing is asserted. */
export const CALL_TIMEOUT_MS = 20000;

/**
 * Awaits `work()` for at most `ms`. A kernel that runs synchronously (cpu,
 * wasm) cannot be interrupted: the elapsed time is checked afterwards too,
 * so one that eventually returns late still fails.
 */
export async function bounded<T>(what: string, work: () => Promise<T>, ms = CALL_TIMEOUT_MS) {
  const start = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  try {
    const result = await Promise.race([work(), timeout]);
    const elapsed = Date.now() - start;
    if (elapsed > ms) throw new Error(`${what}: took ${elapsed} ms, over ${ms} ms`);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

const GUARD = -123456.75;
const GUARD_FLOATS = 64;

/** Whether `message` names `word` (not as part of a longer identifier or of `3x3`). */
function names(message: string, word: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9_])${word}([^A-Za-z0-9_]|$)`).test(message);
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) {
    if (!(a[i] === b[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i])))) return i;
  }
  return a.length === b.length ? -1 : a.length;
}

async function firstNonFinite(t: tf.Tensor): Promise<number> {
  const v = await t.data();
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return i;
  return -1;
}

export function wasmHeapBytes(): number | null {
  return tf.getBackend() === 'wasm'
    ? heapMemory(tf.backend() as BackendWasm).buffer.byteLength
    : null;
}

/**
 * Runs one case: the call must throw an Error `<op>: ...` naming an
 * argument, or (when the case has a shape) return that shape, with gradients
 * of the inputs' shapes, finite where promised; inputs must be unchanged,
 * nothing may leak, and on wasm guard tensors allocated around the inputs
 * and in a hole the size of the output must keep their values.
 */
export async function runCase(c: RobustCase, label: string): Promise<void> {
  const what = `${label} ${c.op} ${c.kind}: ${c.what}`;
  const tensors0 = tf.memory().numTensors;
  const data0 = tf.engine().backend.numDataIds();
  const onWasm = tf.getBackend() === 'wasm';
  const guards: tf.Tensor[] = [];
  const guard = () => {
    if (onWasm) guards.push(tf.fill([GUARD_FLOATS], GUARD));
  };
  const made: Record<string, tf.Tensor> = {};
  const owned: tf.Tensor[] = [];
  const flag = tf.env().getNumber(MAX_TENSOR_BYTES);
  try {
    guard();
    for (const [k, spec] of Object.entries(c.tensors)) {
      made[k] =
        spec.dtype === 'int32'
          ? tf.tensor(Int32Array.from(spec.values), spec.shape, 'int32')
          : tf.tensor(spec.values, spec.shape, 'float32');
      guard();
    }
    if (onWasm && c.shape != null) {
      // A hole the output's size between two guards: the allocator is likely to put the output there.
      const hole = tf.zeros([
        Math.max(
          1,
          c.shape.reduce((a, b) => a * b, 1),
        ),
      ]);
      guard();
      hole.dispose();
    }
    const args = {...c.attrs, ...made};
    if (c.maxBytes != null) tf.env().set(MAX_TENSOR_BYTES, c.maxBytes);
    let y: tf.Tensor | undefined;
    let error: unknown;
    const t0 = Date.now();
    try {
      y = OPS[c.op](args);
    } catch (e) {
      error = e;
    } finally {
      tf.env().set(MAX_TENSOR_BYTES, flag);
    }
    if (Date.now() - t0 > CALL_TIMEOUT_MS) fail(`${what}: the call took ${Date.now() - t0} ms`);
    if (error != null) {
      const message = error instanceof Error ? error.message : String(error);
      expect(error instanceof Error)
        .withContext(`${what}: threw an Error`)
        .toBeTrue();
      if (c.shape != null) {
        fail(`${what}: expected an output of shape [${c.shape}], got the error: ${message}`);
        return;
      }
      expect(message.startsWith(`${c.op}: `))
        .withContext(`${what}: message starts with the op's name: ${message}`)
        .toBeTrue();
      const allowed = c.names ?? ARG_NAMES[c.op];
      expect(allowed.some(word => names(message.slice(c.op.length + 2), word)))
        .withContext(`${what}: message names one of ${allowed}: ${message}`)
        .toBeTrue();
      if (c.message) expect(message).withContext(what).toMatch(c.message);
    } else {
      owned.push(y!);
      if (c.shape == null) {
        fail(`${what}: expected an error, got an output of shape [${y!.shape}]`);
        return;
      }
      expect(y!.shape).withContext(`${what}: output shape`).toEqual(c.shape);
      const bad = await bounded(`${what}: forward`, () => firstNonFinite(y!));
      if (c.finite) {
        expect(bad).withContext(`${what}: first non-finite output element`).toBe(-1);
      }
      if (c.diff.length > 0) {
        const grads = await bounded(`${what}: gradients`, async () => {
          // dy given (ones), not a tf.sum loss: webgl's Sum fails on an empty tensor (a tfjs bug).
          const dy = tf.onesLike(y!);
          owned.push(dy);
          const gs = tf.grads((...ts: tf.Tensor[]) =>
            OPS[c.op]({...args, ...Object.fromEntries(c.diff.map((k, i) => [k, ts[i]]))}),
          )(
            c.diff.map(k => made[k]),
            dy,
          );
          owned.push(...gs);
          await Promise.all(gs.map(t => t.data()));
          return gs;
        });
        for (let i = 0; i < c.diff.length; i++) {
          const k = c.diff[i];
          expect(grads[i].shape).withContext(`${what}: d${k} shape`).toEqual(made[k].shape);
          if (c.finite) {
            expect(await firstNonFinite(grads[i]))
              .withContext(`${what}: first non-finite element of d${k}`)
              .toBe(-1);
          }
          if (c.zeroGrads.includes(k)) {
            const v = await grads[i].data();
            expect(v.every(e => e === 0))
              .withContext(`${what}: d${k} is zero`)
              .toBeTrue();
          }
        }
      }
    }
    for (const [k, t] of Object.entries(made)) {
      const at = sameValues(await t.data(), c.tensors[k].values);
      expect(at).withContext(`${what}: ${k} unchanged (first changed element)`).toBe(-1);
    }
    for (let i = 0; i < guards.length; i++) {
      const v = await guards[i].data();
      expect(v.every(e => e === GUARD))
        .withContext(`${what}: wasm heap guard ${i} intact`)
        .toBeTrue();
    }
  } finally {
    tf.dispose([...Object.values(made), ...owned, ...guards]);
  }
  expect(tf.memory().numTensors).withContext(`${what}: tensors leaked`).toBe(tensors0);
  expect(tf.engine().backend.numDataIds()).withContext(`${what}: backend data leaked`).toBe(data0);
}
