/**
 * Where the deformable layers of a trained model sample, for one unit of the
 * top deformable layer, through the stacked layers (Figure 5 of the DCN
 * paper): the top layer's 3x3 taps, then each tap's own 3x3 taps in the layer
 * below (9x9 = 81 points for two stacked deformable layers), all mapped back
 * to input-image coordinates through the strides of the layers underneath.
 *
 * The offsets and masks come from each layer's offset branch, run here on
 * the layer's input as the layer's `call` runs it (the layer does not expose
 * them). A tap that lands between grid positions of the layer below asks that
 * layer's offset field at the same fractional position (bilinearly), as the
 * deformable sampling itself reads features there.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import {layers as deformLayers} from '../../src/index';
import {IMAGE_SIZE} from './augment';

export interface SamplingPoint {
  /** Input-image pixel coordinates (pixel centres at integers). */
  y: number;
  x: number;
  /** Product of the masks along the path (1 where a layer has no mask, or for the regular grid). */
  weight: number;
}

/** The offset branch's output of a deformable layer, `[height, width, channels]` row-major. */
interface Field {
  values: Float32Array;
  height: number;
  width: number;
  channels: number;
  /** First mask-logit channel (DCNv2), null for DCNv1. */
  maskChannel: number | null;
}

/** One convolution of the stack, for its geometry and, if deformable, its offsets and masks. */
export interface StackLayer {
  kernel: [number, number];
  stride: [number, number];
  dilation: [number, number];
  padBefore: [number, number];
  outSize: [number, number];
  branch?: Field;
}

function isDeformable(layer: tfl.layers.Layer): boolean {
  return (
    layer instanceof deformLayers.ModulatedDeformConv2D ||
    layer instanceof deformLayers.DeformConv2D
  );
}

/** The model's convolutions up to its last deformable one. */
function deformableStack(model: tfl.LayersModel): tfl.layers.Layer[] {
  const last = model.layers.map(isDeformable).lastIndexOf(true);
  if (last < 0) {
    throw new Error(`model ${model.name} has no deformable layer`);
  }
  const stack = model.layers.slice(0, last + 1);
  for (const layer of stack) {
    if (!isDeformable(layer) && layer.getClassName() !== 'Conv2D') {
      throw new Error(
        `sampling points: cannot map through ${layer.getClassName()} layer ${layer.name}`,
      );
    }
  }
  return stack;
}

const pair = (v: unknown) => (Array.isArray(v) ? v : [v, v]) as [number, number];

/** tfjs's 'same' rule puts the odd padding pixel at the end. */
function padBefore(
  padding: string,
  inSize: number,
  outSize: number,
  k: number,
  s: number,
  d: number,
): number {
  return padding === 'same'
    ? Math.floor(Math.max(0, (outSize - 1) * s + d * (k - 1) + 1 - inSize) / 2)
    : 0;
}

function weightOf(layer: tfl.layers.Layer, suffix: string): tf.Tensor {
  const variable = layer.weights.find(w => w.originalName.endsWith(`/${suffix}`));
  if (variable == null) {
    throw new Error(`layer ${layer.name} has no weight ${suffix}`);
  }
  return variable.read();
}

/** The offset branch of a deformable layer on its input, as the layer's `call` computes it. */
function offsetBranch(
  layer: tfl.layers.Layer,
  input: tf.Tensor4D,
  geometry: StackLayer,
  padding: 'same' | 'valid',
): tf.Tensor4D {
  return tf.tidy(() =>
    tf.add(
      tf.conv2d(
        input,
        weightOf(layer, 'offset_kernel') as tf.Tensor4D,
        geometry.stride,
        padding,
        'NHWC',
        geometry.dilation,
      ),
      weightOf(layer, 'offset_bias'),
    ),
  );
}

/** Runs `image` through the stack, keeping each deformable layer's offset-branch output. */
export async function analyseStack(
  model: tfl.LayersModel,
  image: Float32Array,
): Promise<StackLayer[]> {
  const stack: StackLayer[] = [];
  let x = tf.tensor4d(image, [1, IMAGE_SIZE, IMAGE_SIZE, 1]);
  for (const layer of deformableStack(model)) {
    const config = layer.getConfig();
    const [kernel, stride, dilation] = [config.kernelSize, config.strides, config.dilationRate].map(
      pair,
    );
    const padding = config.padding as 'same' | 'valid';
    const input = x;
    x = layer.apply(input) as tf.Tensor4D;
    const outSize: [number, number] = [x.shape[1], x.shape[2]];
    const pad = [0, 1].map(a =>
      padBefore(padding, input.shape[1 + a], outSize[a], kernel[a], stride[a], dilation[a]),
    );
    const geometry: StackLayer = {
      kernel,
      stride,
      dilation,
      padBefore: pad as [number, number],
      outSize,
    };
    if (isDeformable(layer)) {
      const branch = offsetBranch(layer, input, geometry, padding);
      const [, height, width, channels] = branch.shape;
      const values = (await branch.data()) as Float32Array;
      branch.dispose();
      const maskChannel =
        layer instanceof deformLayers.ModulatedDeformConv2D
          ? 2 * Number(config.offsetGroups) * kernel[0] * kernel[1]
          : null;
      geometry.branch = {values, height, width, channels, maskChannel};
    }
    input.dispose();
    stack.push(geometry);
  }
  x.dispose();
  return stack;
}

/** The field's channels at a fractional position, bilinearly, clamped to the grid. */
function fieldAt(field: Field, y: number, x: number): Float32Array {
  const cy = Math.min(Math.max(y, 0), field.height - 1);
  const cx = Math.min(Math.max(x, 0), field.width - 1);
  const [y0, x0] = [Math.floor(cy), Math.floor(cx)];
  const rows = [
    [y0, 1 - (cy - y0)],
    [Math.min(y0 + 1, field.height - 1), cy - y0],
  ];
  const columns = [
    [x0, 1 - (cx - x0)],
    [Math.min(x0 + 1, field.width - 1), cx - x0],
  ];
  const out = new Float32Array(field.channels);
  for (const [r, wr] of rows) {
    for (const [c, wc] of columns) {
      const at = (r * field.width + c) * field.channels;
      for (let ch = 0; ch < field.channels; ch++) {
        out[ch] += wr * wc * field.values[at + ch];
      }
    }
  }
  return out;
}

/** Where a unit of a layer's output sits in its input: its kernel's centre. */
function centre(layer: StackLayer, p: SamplingPoint): SamplingPoint {
  const at = (v: number, a: 0 | 1) =>
    v * layer.stride[a] - layer.padBefore[a] + (layer.dilation[a] * (layer.kernel[a] - 1)) / 2;
  return {y: at(p.y, 0), x: at(p.x, 1), weight: p.weight};
}

/** The taps of a deformable layer's unit, in its input; regular: the undeformed grid. */
function taps(
  layer: StackLayer,
  branch: Field,
  p: SamplingPoint,
  regular: boolean,
): SamplingPoint[] {
  const [kh, kw] = layer.kernel;
  const values = fieldAt(branch, p.y, p.x);
  // Offset group 0's channels: (Δy, Δx) per tap, row-major taps; mask logits after all offsets.
  const points: SamplingPoint[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const t = i * kw + j;
      const [dy, dx] = regular ? [0, 0] : [values[2 * t], values[2 * t + 1]];
      const mask =
        regular || branch.maskChannel == null
          ? 1
          : 1 / (1 + Math.exp(-values[branch.maskChannel + t]));
      points.push({
        y: p.y * layer.stride[0] - layer.padBefore[0] + i * layer.dilation[0] + dy,
        x: p.x * layer.stride[1] - layer.padBefore[1] + j * layer.dilation[1] + dx,
        weight: p.weight * mask,
      });
    }
  }
  return points;
}

/**
 * The sampling points of `unit` (a position of the top deformable layer's
 * output), in input-image coordinates, by level: `[0]` the unit itself,
 * `[1]` the top layer's taps, then each deformable layer below expands every
 * point of the previous level into its own taps. `regular` gives the points
 * of the same stack with every offset 0 and mask 1 (a plain CNN's grid).
 */
export function samplingPoints(
  stack: StackLayer[],
  unit: {y: number; x: number},
  regular = false,
): SamplingPoint[][] {
  let levels: SamplingPoint[][] = [[{...unit, weight: 1}]];
  for (const layer of [...stack].reverse()) {
    const deepest = levels[levels.length - 1];
    const mapped = levels.map(level => level.map(p => centre(layer, p)));
    if (layer.branch) {
      mapped.push(deepest.flatMap(p => taps(layer, layer.branch!, p, regular)));
    }
    levels = mapped;
  }
  return levels;
}

/** The unit of the top deformable layer whose centre is nearest to an input-image position. */
export function unitNearest(stack: StackLayer[], y: number, x: number): {y: number; x: number} {
  // Centres are affine in the unit's position: find that map from two units.
  const [origin, step] = [0, 1].map(v => samplingPoints(stack, {y: v, x: v}, true)[0][0]);
  const top = stack[stack.length - 1].outSize;
  const nearest = (v: number, o: number, s: number, size: number) =>
    Math.min(size - 1, Math.max(0, Math.round((v - o) / (s - o))));
  return {y: nearest(y, origin.y, step.y, top[0]), x: nearest(x, origin.x, step.x, top[1])};
}

/** The input position of the image's ink centre, a natural first unit to show. */
export function inkCentre(image: Float32Array): {y: number; x: number} {
  let total = 0;
  let sy = 0;
  let sx = 0;
  image.forEach((v, i) => {
    total += v;
    sy += v * Math.floor(i / IMAGE_SIZE);
    sx += v * (i % IMAGE_SIZE);
  });
  const middle = (IMAGE_SIZE - 1) / 2;
  return total > 0 ? {y: sy / total, x: sx / total} : {y: middle, x: middle};
}
