/**
 * The path from a model's input to a unit's layer as a chain of layers with
 * their sampling geometry: what `samplingLocations` traces back through.
 */
import type {Tensor4D} from '@tensorflow/tfjs-core';
import type {layers} from '@tensorflow/tfjs-layers';

import {DCNv3} from '../layers/dcnv3_layer';
import {DeformConvLayerBase} from '../layers/deform_conv_layer_base';
import {Involution} from '../layers/involution_layer';
import {PadArg, resolvePad} from '../shape/window';
import {analysisError} from './unit';

type Layer = layers.Layer;

/**
 * Layers that act on each position alone (spatially the identity). Anything
 * else that is not a sampling layer below is refused rather than guessed.
 */
const POINTWISE = new Set([
  'Activation',
  'AlphaDropout',
  'BatchNormalization',
  'Dropout',
  'ELU',
  'GaussianDropout',
  'GaussianNoise',
  'LayerNormalization',
  'LeakyReLU',
  'PReLU',
  'ReLU',
  'Softmax',
  'SpatialDropout2D',
  'ThresholdedReLU',
]);

export type ChainKind = 'conv' | 'window' | 'deform' | 'dcnv3' | 'pointwise';

/** A layer of the chain: how a position of its output reads positions of its input. */
export interface ChainLayer {
  layer: Layer;
  kind: ChainKind;
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** Set by `resolveGeometry` once the input size is known. */
  padBefore: [number, number];
  pad: PadArg;
}

/** The layers from the model's input up to `top` (bottom first); each must have a single input. */
export function traceChain(fn: string, top: Layer): ChainLayer[] {
  const chain: ChainLayer[] = [];
  for (let layer = top; layer.getClassName() !== 'InputLayer';) {
    const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
    if (inbound.length !== 1) {
      throw analysisError(
        fn,
        'unit.layer',
        `'${top.name}' is reached through ${layer.getClassName()} layer '${layer.name}' with ${
          inbound.length
        } inputs: sampling locations need a chain of single-input layers`,
      );
    }
    chain.push(describe(fn, layer));
    layer = inbound[0];
  }
  return chain.reverse();
}

const pair = (v: unknown): [number, number] =>
  (Array.isArray(v) ? [v[0], v[1]] : [v, v]) as [number, number];

function describe(fn: string, layer: Layer): ChainLayer {
  const config = layer.getConfig();
  const base = {
    layer,
    padBefore: [0, 0] as [number, number],
    dilations: [1, 1] as [number, number],
  };
  const className = layer.getClassName();
  if (layer instanceof DeformConvLayerBase) {
    return {
      ...base,
      kind: 'deform',
      kernel: layer.kernelSize,
      strides: layer.strides,
      dilations: layer.dilationRate,
      pad: layer.padding,
    };
  }
  if (layer instanceof DCNv3) {
    return {
      ...base,
      kind: 'dcnv3',
      kernel: [layer.kernelSize, layer.kernelSize],
      strides: [layer.strides, layer.strides],
      dilations: [layer.dilation, layer.dilation],
      pad: layer.pad,
    };
  }
  if (layer instanceof Involution) {
    // The op's default padding: floor((k - 1) / 2) per side.
    return {
      ...base,
      kind: 'window',
      kernel: [layer.kernelSize, layer.kernelSize],
      strides: [layer.strides, layer.strides],
      pad: Math.floor((layer.kernelSize - 1) / 2),
    };
  }
  if (className === 'Conv2D' || className === 'DepthwiseConv2D') {
    return {
      ...base,
      kind: className === 'Conv2D' ? 'conv' : 'window',
      kernel: pair(config.kernelSize),
      strides: pair(config.strides),
      dilations: pair(config.dilationRate),
      pad: config.padding as PadArg,
    };
  }
  if (className === 'MaxPooling2D' || className === 'AveragePooling2D') {
    return {
      ...base,
      kind: 'window',
      kernel: pair(config.poolSize),
      strides: pair(config.strides ?? config.poolSize),
      pad: config.padding as PadArg,
    };
  }
  if (className === 'ZeroPadding2D') {
    // Output position y reads input y - top: a 1x1 window padded by top (left) before.
    const [[top], [left]] = config.padding as [number, number][];
    return {...base, kind: 'window', kernel: [1, 1], strides: [1, 1], pad: [top, left]};
  }
  if (POINTWISE.has(className)) {
    return {...base, kind: 'pointwise', kernel: [1, 1], strides: [1, 1], pad: 'valid'};
  }
  throw analysisError(
    fn,
    'model',
    `cannot trace sampling locations through ${className} layer '${layer.name}' (supported: ` +
      `DeformConv2D, ModulatedDeformConv2D, DCNv3, Involution, Conv2D, DepthwiseConv2D, ` +
      `MaxPooling2D, AveragePooling2D, ZeroPadding2D and position-wise layers)`,
  );
}

/** Fixes `padBefore` of each layer from the size of its input (`'same'` depends on it). */
export function resolveGeometry(fn: string, layer: ChainLayer, input: Tensor4D): void {
  const [, height, width] = input.shape;
  const [[top], [left]] = resolvePad(
    fn,
    layer.pad,
    height,
    width,
    layer.kernel,
    layer.strides,
    layer.dilations,
  );
  layer.padBefore = [top, left];
}
