/**
 * Where a unit samples its input through the stacked layers below it (the
 * DCN paper's Figure 5), and how much each sampling location matters (DCNv2's
 * effective sampling locations: the gradient of the unit w.r.t. the location).
 */
import {add, grad, slice, Tensor, Tensor4D, tidy, zeros} from '@tensorflow/tfjs-core';
import {layers, LayersModel} from '@tensorflow/tfjs-layers';

import {deformConv2d} from '../ops/deform_conv2d';
import {DCNv3} from '../layers/dcnv3_layer';
import {DeformConvLayerBase} from '../layers/deform_conv_layer_base';
import {ChainLayer, resolveGeometry, traceChain} from './chain';
import {analysisError, checkConvUnit, ConvUnit, unitIndex, UnitOptions, unitValue} from './unit';

export interface SamplingOptions extends UnitOptions {
  /**
   * The offset group (DCNv1/v2) or channel group (DCNv3) whose offsets and
   * masks are followed, in every deformable layer of the path that has more
   * than one (the others have only group 0). Default 0.
   */
  group?: number;
  /** Refuse paths with more points than this (P grows as the product of the tap counts). Default 2^20. */
  maxPoints?: number;
}

export interface SamplingLocations {
  /** `[P, 2]` row-major: (y, x) in input pixels, pixel centres at integers; bilinear positions stay fractional. */
  points: Float32Array;
  /** `[P]`: the product of the modulation masks along each point's path (1 without masks). */
  weights: Float32Array;
  /** The unit's position in the input through the undeformed geometry (its kernels' centres). */
  centre: [number, number];
}

export interface EffectiveSamplingLocations extends SamplingLocations {
  /**
   * `[P]`: `|∂unit / ∂(sampling location)|` (Euclidean norm over y and x, in
   * pixels of that layer's input) at the deepest layer of the path whose
   * sampling locations can move (a deformable layer, or a Conv2D taken as a
   * deformable convolution with zero offsets), bilinearly interpolated where
   * the path reaches it between units; points below that layer share the
   * value of their tap there.
   */
  importance: Float32Array;
  /** The name of that layer. */
  importanceLayer: string;
}

/** A layer output `[Ho, Wo, channels]` on the host, read bilinearly at fractional positions. */
interface Field {
  values: Float32Array;
  height: number;
  width: number;
  channels: number;
}

/** The field's channels at a fractional position, bilinearly, clamped to the grid. */
function fieldAt(field: Field, y: number, x: number, out: Float64Array): Float64Array {
  out.fill(0);
  const cy = Math.min(Math.max(y, 0), field.height - 1);
  const cx = Math.min(Math.max(x, 0), field.width - 1);
  const [y0, x0] = [Math.floor(cy), Math.floor(cx)];
  const [y1, x1] = [Math.min(y0 + 1, field.height - 1), Math.min(x0 + 1, field.width - 1)];
  const corners: [number, number, number][] = [
    [y0, x0, (1 - (cy - y0)) * (1 - (cx - x0))],
    [y0, x1, (1 - (cy - y0)) * (cx - x0)],
    [y1, x0, (cy - y0) * (1 - (cx - x0))],
    [y1, x1, (cy - y0) * (cx - x0)],
  ];
  for (const [r, c, weight] of corners) {
    if (weight !== 0) {
      const at = (r * field.width + c) * field.channels;
      for (let ch = 0; ch < field.channels; ch++) {
        out[ch] += weight * field.values[at + ch];
      }
    }
  }
  return out;
}

async function toField(t: Tensor4D): Promise<Field> {
  const [, height, width, channels] = t.shape;
  const values = (await t.data()) as Float32Array;
  return {values, height, width, channels};
}

/** A tap of a layer: kernel row and column, and its index in the layer's offset / mask channels. */
interface Tap {
  row: number;
  col: number;
  index: number;
}

function tapsOf(layer: ChainLayer): Tap[] {
  const [kh, kw] = layer.kernel;
  const taps: Tap[] = [];
  if (layer.kind === 'dcnv3') {
    // InternImage's point order: column-major, the centre dropped with removeCenter.
    const dcn = layer.layer as DCNv3;
    for (let a = 0; a < kw; a++) {
      for (let b = 0; b < kh; b++) {
        const centre = a === Math.floor(kw / 2) && b === Math.floor(kh / 2);
        if (!(dcn.removeCenter && centre)) {
          taps.push({row: b, col: a, index: taps.length});
        }
      }
    }
    return taps;
  }
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      taps.push({row: i, col: j, index: i * kw + j});
    }
  }
  return taps;
}

/** The group whose offsets are followed in this layer: a single-group layer has only 0. */
function followedGroup(traced: Traced, layer: ChainLayer): number {
  return groupsOf(layer) > 1 ? traced.group : 0;
}

function groupsOf(layer: ChainLayer): number {
  if (layer.kind === 'deform') {
    return (layer.layer as DeformConvLayerBase).offsetGroups;
  }
  return layer.kind === 'dcnv3' ? (layer.layer as DCNv3).groups : 1;
}

/** Everything traced: the chain bottom first, each deformable layer's offsets and masks, the unit's place. */
interface Traced {
  chain: ChainLayer[];
  outShapes: number[][];
  offsets: (Field | undefined)[];
  masks: (Field | undefined)[];
  image: Tensor4D;
  index: {at: [number, number, number]; channel?: number};
  group: number;
}

async function trace(
  fn: string,
  model: LayersModel,
  input: Tensor | Tensor[],
  unit: ConvUnit,
  options: SamplingOptions,
): Promise<Traced> {
  const {image: images, layer, batchIndex} = checkConvUnit(fn, model, input, unit, options);
  const chain = traceChain(fn, layer);
  const group = options.group ?? 0;
  const maxPoints = options.maxPoints ?? 2 ** 20;
  let count = 1;
  for (const link of chain) {
    count *= tapsOf(link).length;
    const groups = groupsOf(link);
    if (groups > 1 && !(Number.isInteger(group) && group >= 0 && group < groups)) {
      throw analysisError(
        fn,
        'options.group',
        `must be an integer in [0, ${groups}) for layer '${link.layer.name}', got ${group}`,
      );
    }
  }
  if (count > maxPoints) {
    throw analysisError(
      fn,
      'unit',
      `has ${count} sampling points through ${chain.length} layers, more than ` +
        `options.maxPoints (${maxPoints})`,
    );
  }
  const [, h, w, c] = images.shape;
  const image = slice(images, [batchIndex, 0, 0, 0], [1, h, w, c]) as Tensor4D;
  const outShapes: number[][] = [];
  const offsets: (Field | undefined)[] = [];
  const masks: (Field | undefined)[] = [];
  let x = image;
  try {
    for (const link of chain) {
      resolveGeometry(fn, link, x);
      let y: Tensor4D;
      if (link.kind === 'deform' || link.kind === 'dcnv3') {
        const layer = link.layer as DeformConvLayerBase | DCNv3;
        const {offset, mask} = layer.offsetsAndMask(x);
        offsets.push(await toField(offset));
        masks.push(mask && (await toField(mask)));
        // The layer's output from the offsets just read: its branch runs once.
        y = applyDeformed(layer, x, offset, mask);
        offset.dispose();
        mask?.dispose();
      } else {
        offsets.push(undefined);
        masks.push(undefined);
        y = link.layer.apply(x) as Tensor4D;
      }
      if (x !== image) {
        x.dispose();
      }
      x = y;
      outShapes.push(y.shape);
    }
    const index = unitIndex(fn, unit, outShapes[outShapes.length - 1], 0);
    return {chain, outShapes, offsets, masks, image, index, group};
  } catch (error) {
    image.dispose();
    throw error;
  } finally {
    if (x !== image) {
      x.dispose();
    }
  }
}

/** The points of the unit, top layer first, down to the input; `importance` filled at layer `at`. */
function expand(
  traced: Traced,
  importanceAt?: {layer: number; magnitude: Field},
): {ys: Float64Array; xs: Float64Array; ws: Float64Array; importance: Float64Array} {
  const [, row, col] = traced.index.at;
  let ys = Float64Array.of(row);
  let xs = Float64Array.of(col);
  let ws = Float64Array.of(1);
  let importance = Float64Array.of(0);
  for (let l = traced.chain.length - 1; l >= 0; l--) {
    const link = traced.chain[l];
    if (link.kind === 'pointwise') {
      continue;
    }
    const taps = tapsOf(link);
    const n = ys.length * taps.length;
    const [ny, nx, nw, ni] = [0, 0, 0, 0].map(() => new Float64Array(n));
    const offset = traced.offsets[l];
    const mask = traced.masks[l];
    const offsetValues = new Float64Array(offset?.channels ?? 0);
    const maskValues = new Float64Array(mask?.channels ?? 0);
    const magnitudes = new Float64Array(importanceAt?.magnitude.channels ?? 0);
    const {strides, dilations, padBefore} = link;
    const dcn = link.kind === 'dcnv3' ? (link.layer as DCNv3) : null;
    const [ch, cw] = [0, 1].map(a => Math.floor((dilations[a] * (link.kernel[a] - 1)) / 2));
    const g = followedGroup(traced, link);
    for (let p = 0; p < ys.length; p++) {
      if (offset) {
        fieldAt(offset, ys[p], xs[p], offsetValues);
      }
      if (mask) {
        fieldAt(mask, ys[p], xs[p], maskValues);
      }
      if (importanceAt?.layer === l) {
        fieldAt(importanceAt.magnitude, ys[p], xs[p], magnitudes);
      }
      const baseY = ys[p] * strides[0] - padBefore[0];
      const baseX = xs[p] * strides[1] - padBefore[1];
      for (const tap of taps) {
        const q = p * taps.length + tap.index;
        const k = g * taps.length + tap.index;
        if (dcn) {
          // docs/semantics.md §2.3: offsetScale scales the grid around the kernel centre; pairs are (Δx, Δy).
          const s = dcn.offsetScale;
          ny[q] = baseY + ch + s * (tap.row * dilations[0] - ch + offsetValues[2 * k + 1]);
          nx[q] = baseX + cw + s * (tap.col * dilations[1] - cw + offsetValues[2 * k]);
        } else {
          ny[q] = baseY + tap.row * dilations[0] + (offset ? offsetValues[2 * k] : 0);
          nx[q] = baseX + tap.col * dilations[1] + (offset ? offsetValues[2 * k + 1] : 0);
        }
        nw[q] = ws[p] * (mask ? maskValues[k] : 1);
        ni[q] = importanceAt?.layer === l ? magnitudes[tap.index] : importance[p];
      }
    }
    [ys, xs, ws, importance] = [ny, nx, nw, ni];
  }
  return {ys, xs, ws, importance};
}

/** The unit's position in the input through the undeformed geometry: each layer's kernel centre. */
function centreOf(traced: Traced): [number, number] {
  let [, y, x] = traced.index.at;
  for (let l = traced.chain.length - 1; l >= 0; l--) {
    const {strides, dilations, padBefore, kernel} = traced.chain[l];
    y = y * strides[0] - padBefore[0] + (dilations[0] * (kernel[0] - 1)) / 2;
    x = x * strides[1] - padBefore[1] + (dilations[1] * (kernel[1] - 1)) / 2;
  }
  return [y, x];
}

function result(traced: Traced, points: ReturnType<typeof expand>): SamplingLocations {
  const interleaved = new Float32Array(2 * points.ys.length);
  points.ys.forEach((y, i) => {
    interleaved[2 * i] = y;
    interleaved[2 * i + 1] = points.xs[i];
  });
  return {points: interleaved, weights: Float32Array.from(points.ws), centre: centreOf(traced)};
}

/**
 * The sampling points of `unit` (`{layer, row, col}` of a layer with output
 * `[N, Ho, Wo, Ch]`) in the input image `options.batchIndex` of `input`: the
 * unit's taps traced back through every layer below it (deformable layers
 * with the offsets and masks they compute for this image, Conv2D,
 * DepthwiseConv2D, pooling, Involution, ZeroPadding2D; position-wise layers
 * pass through). P = the product of the tap counts (81 for two 3x3 layers).
 * A tap that lands between the units of the layer below reads that layer's
 * offsets and masks bilinearly there (as the sampling reads features). The
 * path must be a chain (no residual additions). Leaves no tensors behind.
 */
export async function samplingLocations(
  model: LayersModel,
  input: Tensor | Tensor[],
  unit: ConvUnit,
  options: SamplingOptions = {},
): Promise<SamplingLocations> {
  const traced = await trace('samplingLocations', model, input, unit, options);
  traced.image.dispose();
  return result(traced, expand(traced));
}

/**
 * {@link samplingLocations} plus each point's importance (DCNv2's effective
 * sampling locations): the magnitude of the gradient of the unit w.r.t. the
 * point's sampling location, from the offset gradients of the deepest layer
 * of the path whose locations can move (see `importance`).
 */
export async function effectiveSamplingLocations(
  model: LayersModel,
  input: Tensor | Tensor[],
  unit: ConvUnit,
  options: SamplingOptions = {},
): Promise<EffectiveSamplingLocations> {
  const fn = 'effectiveSamplingLocations';
  const traced = await trace(fn, model, input, unit, options);
  try {
    const layer = traced.chain.findIndex(l => l.kind !== 'pointwise' && l.kind !== 'window');
    if (layer < 0) {
      throw analysisError(
        fn,
        'model',
        'has no layer with movable sampling locations (deformable or Conv2D) below the unit',
      );
    }
    const gradient = locationGradient(traced, layer);
    const magnitude = await locationMagnitudes(traced, layer, gradient);
    gradient.dispose();
    const points = expand(traced, {layer, magnitude});
    return {
      ...result(traced, points),
      importance: Float32Array.from(points.importance),
      importanceLayer: traced.chain[layer].layer.name,
    };
  } finally {
    traced.image.dispose();
  }
}

/** The offset channels a location delta needs at a chain layer: DCN's layout, or DCNv3's. */
function deltaChannels(link: ChainLayer): number {
  return 2 * groupsOf(link) * tapsOf(link).length;
}

/** `∂unit / ∂delta` for a delta added to the offsets of chain layer `at`, `[1, Ho, Wo, channels]`. */
function locationGradient(traced: Traced, at: number): Tensor4D {
  const [, ho, wo] = traced.outShapes[at];
  const delta = zeros([1, ho, wo, deltaChannels(traced.chain[at])]) as Tensor4D;
  const response = (d: Tensor) => {
    let x: Tensor4D = traced.image;
    traced.chain.forEach((link, l) => {
      x = l === at ? withLocationDelta(link, x, d as Tensor4D) : (link.layer.apply(x) as Tensor4D);
    });
    return unitValue(x, traced.index);
  };
  const gradient = tidy(() => grad(response)(delta) as Tensor4D);
  delta.dispose();
  return gradient;
}

/** A deformable layer's output for these offsets and mask (DCNv3 always has one). */
function applyDeformed(
  layer: DeformConvLayerBase | DCNv3,
  x: Tensor4D,
  offset: Tensor4D,
  mask?: Tensor4D,
): Tensor4D {
  return layer instanceof DCNv3
    ? layer.applyWithOffsets(x, offset, mask!)
    : layer.applyWithOffsets(x, offset, mask);
}

/** The layer's output with `delta` added to its sampling locations. */
function withLocationDelta(link: ChainLayer, x: Tensor4D, delta: Tensor4D): Tensor4D {
  if (link.kind === 'deform' || link.kind === 'dcnv3') {
    const layer = link.layer as DeformConvLayerBase | DCNv3;
    const {offset, mask} = layer.offsetsAndMask(x);
    return applyDeformed(layer, x, add(offset, delta) as Tensor4D, mask);
  }
  // A Conv2D: the same convolution as a deformable one, its offsets the delta.
  const config = link.layer.getConfig();
  const [filter, bias] = link.layer.getWeights();
  const y = deformConv2d({
    x,
    filter: filter as Tensor4D,
    offset: delta,
    bias: config.useBias ? bias : undefined,
    strides: link.strides,
    pad: link.pad,
    dilations: link.dilations,
  });
  return layers.activation({activation: config.activation as 'linear'}).apply(y) as Tensor4D;
}

/** `|gradient|` per unit and tap of group `group` as a field `[Ho, Wo, taps]`, in input pixels of the layer. */
async function locationMagnitudes(traced: Traced, at: number, gradient: Tensor4D): Promise<Field> {
  const link = traced.chain[at];
  const taps = tapsOf(link).length;
  const {values, height, width, channels} = await toField(gradient);
  const magnitudes = new Float32Array(height * width * taps);
  const scale = link.kind === 'dcnv3' ? (link.layer as DCNv3).offsetScale : 1;
  const group = followedGroup(traced, link);
  for (let u = 0; u < height * width; u++) {
    for (let t = 0; t < taps; t++) {
      const k = u * channels + 2 * (group * taps + t);
      // DCNv3 moves a location by offsetScale per unit of offset.
      magnitudes[u * taps + t] = Math.hypot(values[k], values[k + 1]) / Math.abs(scale || 1);
    }
  }
  return {values: magnitudes, height, width, channels: taps};
}
