/**
 * InternImage (Wang et al. 2023), the classification model of
 * github:OpenGVLab/InternImage (`classification/models/intern_image.py`) for
 * its T, S and B configurations: a stem of two conv 3x3/2 with LayerNorm and
 * GELU; four levels of blocks (LayerNorm, DCNv3, LayerNorm, MLP with GELU;
 * pre-norm, or post-norm with layer scale for S and B), a LayerNorm after
 * pre-norm levels, a conv 3x3/2 + LayerNorm between levels; the head: conv
 * 1x1 to 1.5x the channels (`cls_scale`), BatchNorm, GELU, global average
 * pooling, linear. Drop path is the identity at inference and not built.
 * Layer names are the checkpoint's module paths (`levels.2.blocks.5.dcn`).
 */
import {input, layers, LayersModel, model, SymbolicTensor} from '@tensorflow/tfjs-layers';

import {DCNv3} from '../layers/dcnv3_layer';
import {batchNorm, checkChoice, checkInputShape, checkNumClasses, classifier, conv} from './blocks';
import {LayerScale} from './layer_scale';
import {ChannelLayerNorm} from './layer_norm';

export interface InternImageArgs {
  variant: 'T' | 'S' | 'B';
  /** `[H, W, 3]`, H and W multiples of 32. Default `[224, 224, 3]`. */
  inputShape?: number[];
  /** Default 1000. */
  numClasses?: number;
  /** Default true; false: the outputs of the four levels (strides 4, 8, 16, 32). */
  includeTop?: boolean;
}

interface Variant {
  channels: number;
  depths: number[];
  groups: number[];
  /** The initial layer scale, null without. */
  layerScale: number | null;
  postNorm: boolean;
}

/** classification/configs/internimage_{t,s,b}_1k_224.yaml */
const VARIANTS: Record<string, Variant> = {
  T: {
    channels: 64,
    depths: [4, 4, 18, 4],
    groups: [4, 8, 16, 32],
    layerScale: null,
    postNorm: false,
  },
  S: {
    channels: 80,
    depths: [4, 4, 21, 4],
    groups: [5, 10, 20, 40],
    layerScale: 1e-5,
    postNorm: true,
  },
  B: {
    channels: 112,
    depths: [4, 4, 21, 4],
    groups: [7, 14, 28, 56],
    layerScale: 1e-5,
    postNorm: true,
  },
};

const MLP_RATIO = 4;
const CLS_SCALE = 1.5;
const LAYER_NORM_EPSILON = 1e-6;

/** The head's PyTorch keys, ignored when loading a checkpoint into a model without it. */
export const INTERNIMAGE_HEAD_KEYS = ['conv_head.', 'head.'];

function layerNorm(x: SymbolicTensor, name: string): SymbolicTensor {
  return new ChannelLayerNorm({epsilon: LAYER_NORM_EPSILON, name}).apply(x) as SymbolicTensor;
}

function gelu(x: SymbolicTensor, name: string): SymbolicTensor {
  return layers.activation({activation: 'gelu', name}).apply(x) as SymbolicTensor;
}

function stem(image: SymbolicTensor, channels: number): SymbolicTensor {
  let x = conv(image, 'patch_embed.conv1', {
    filters: channels / 2,
    kernelSize: 3,
    strides: 2,
    useBias: true,
  });
  x = gelu(layerNorm(x, 'patch_embed.norm1.1'), 'patch_embed.act');
  x = conv(x, 'patch_embed.conv2', {filters: channels, kernelSize: 3, strides: 2, useBias: true});
  return layerNorm(x, 'patch_embed.norm2.1');
}

/** `x + gamma · branch` (or `x + branch` without layer scale). */
function residual(
  x: SymbolicTensor,
  branch: SymbolicTensor,
  name: string,
  gammaName: string,
  layerScale: number | null,
): SymbolicTensor {
  const scaled =
    layerScale == null
      ? branch
      : (new LayerScale({initialValue: layerScale, name: gammaName}).apply(
          branch,
        ) as SymbolicTensor);
  return layers.add({name}).apply([x, scaled]) as SymbolicTensor;
}

function block(x: SymbolicTensor, prefix: string, groups: number, v: Variant): SymbolicTensor {
  const channels = x.shape[3] as number;
  const dcn = (t: SymbolicTensor) =>
    new DCNv3({groups, offsetScale: 1, name: `${prefix}dcn`}).apply(t) as SymbolicTensor;
  const mlp = (t: SymbolicTensor) => {
    const hidden = layers
      .dense({units: channels * MLP_RATIO, activation: 'gelu', name: `${prefix}mlp.fc1`})
      .apply(t);
    return layers
      .dense({units: channels, name: `${prefix}mlp.fc2`})
      .apply(hidden) as SymbolicTensor;
  };
  const norm1 = (t: SymbolicTensor) => layerNorm(t, `${prefix}norm1.0`);
  const norm2 = (t: SymbolicTensor) => layerNorm(t, `${prefix}norm2.0`);
  const first = v.postNorm ? norm1(dcn(x)) : dcn(norm1(x));
  x = residual(x, first, `${prefix}add1`, `${prefix}gamma1`, v.layerScale);
  const second = v.postNorm ? norm2(mlp(x)) : mlp(norm2(x));
  return residual(x, second, `${prefix}add2`, `${prefix}gamma2`, v.layerScale);
}

function head(x: SymbolicTensor, numClasses: number): SymbolicTensor {
  const channels = (x.shape[3] as number) * CLS_SCALE;
  let y = conv(x, 'conv_head.0', {filters: channels, kernelSize: 1});
  y = gelu(batchNorm(y, 'conv_head.1.0'), 'conv_head.2');
  return classifier(y, 'avgpool', 'head', numClasses);
}

export function internImage(args: InternImageArgs): LayersModel {
  checkChoice('internImage', 'variant', args.variant, ['T', 'S', 'B']);
  const v = VARIANTS[args.variant];
  const inputShape = checkInputShape('internImage', args.inputShape);
  const numClasses = checkNumClasses('internImage', args.numClasses);
  const image = input({shape: inputShape, name: 'input'});
  let x = stem(image, v.channels);
  const levels: SymbolicTensor[] = [];
  v.depths.forEach((depth, level) => {
    for (let b = 0; b < depth; b++) {
      x = block(x, `levels.${level}.blocks.${b}.`, v.groups[level], v);
    }
    if (!v.postNorm) {
      x = layerNorm(x, `levels.${level}.norm.0`);
    }
    levels.push(x);
    if (level < v.depths.length - 1) {
      const channels = 2 * (x.shape[3] as number);
      x = conv(x, `levels.${level}.downsample.conv`, {
        filters: channels,
        kernelSize: 3,
        strides: 2,
      });
      x = layerNorm(x, `levels.${level}.downsample.norm.1`);
    }
  });
  const outputs = args.includeTop === false ? levels : head(x, numClasses);
  return model({inputs: image, outputs, name: `internimage_${args.variant.toLowerCase()}`});
}
