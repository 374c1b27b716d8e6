/**
 * Which PyTorch `state_dict` entries each layer's weights come from, and how
 * they convert (see docs/semantics.md §6): conv weights OIHW to HWIO, Linear
 * weights transposed, the NCHW flatten orders of mmcv's RoI-pooling branches
 * permuted. Our layers: mmcv DeformConv2dPack / ModulatedDeformConv2dPack
 * (`weight`, `bias`, `conv_offset.*`, or the legacy sibling `<name>_offset.*`,
 * or CharlesShang's `conv_offset_mask.*`), torchvision DeformConv2d (`weight`,
 * `bias`: its offsets are an input, so our offset branch is left as it is),
 * InternImage DCNv3, RedNet involution (`conv1.conv`, `conv1.bn`,
 * `conv2.conv`) and mmcv DeformRoIPoolPack / ModulatedDeformRoIPoolPack.
 * tfjs's own Conv2D, Dense, BatchNormalization and LayerNormalization, and
 * the models' ChannelLayerNorm and LayerScale, take PyTorch's Conv2d, Linear,
 * BatchNorm2d, LayerNorm (both) and a bare parameter.
 */
import type {layers} from '@tensorflow/tfjs-layers';

import {DCNv3} from '../layers/dcnv3_layer';
import {DeformConvLayerBase} from '../layers/deform_conv_layer_base';
import {DeformRoIPool} from '../layers/deform_roi_pool_layer';
import {Involution} from '../layers/involution_layer';
import {ChannelLayerNorm} from '../models/layer_norm';
import {LayerScale} from '../models/layer_scale';
import {permuteEntry as transpose, reshapeEntry as reshape} from './host_layout';
import type {StateDict, StateTensor} from './safetensors';

/** One weight of a layer: its state dict key and the conversion. */
export interface Entry {
  weight: string;
  key: string;
  convert: (value: StateTensor) => StateTensor;
}

const as = (t: StateTensor) => t;
const conv = (t: StateTensor) => transpose(t, [2, 3, 1, 0]); // [O, I, kh, kw] -> [kh, kw, I, O]
const depthwise = (t: StateTensor) => transpose(t, [2, 3, 0, 1]); // [C, 1, k, k] -> [k, k, C, 1]
const linear = (t: StateTensor) => transpose(t, [1, 0]); // [out, in] -> [in, out]
const pointwise = (t: StateTensor) => linear(reshape(t, t.shape.slice(0, 2))); // [out, in, 1, 1] -> [in, out]

/** mmcv's RoI branch input: columns `c·ph·pw + i·pw + j` become rows `(i·pw + j)·C + c`. */
function nchwFlattenRows(channels: number, [ph, pw]: [number, number]) {
  return (weight: StateTensor) => {
    const f = weight.shape[0] as number;
    return reshape(transpose(reshape(weight, [f, channels, ph, pw]), [2, 3, 1, 0]), [
      ph * pw * channels,
      f,
    ]);
  };
}

/** mmcv's offset layer (weight `[2 ph pw, F]`): outputs `k·ph·pw + i·pw + j` (k: Δx, Δy) become `(i·pw + j)·2 + k`. */
function offsetOutputs([ph, pw]: [number, number]) {
  return {
    kernel: (weight: StateTensor) => {
      const f = weight.shape[1] as number;
      return reshape(transpose(reshape(weight, [2, ph, pw, f]), [3, 1, 2, 0]), [f, ph * pw * 2]);
    },
    bias: (bias: StateTensor) =>
      reshape(transpose(reshape(bias, [2, ph, pw]), [1, 2, 0]), [ph * pw * 2]),
  };
}

/** Builds entries under one module's prefix. */
class Entries {
  readonly list: Entry[] = [];
  constructor(readonly prefix: string) {}

  add(
    weight: string,
    key: string,
    convert: (t: StateTensor) => StateTensor = as,
    absolute = false,
  ): this {
    this.list.push({weight, key: absolute ? key : this.prefix + key, convert});
    return this;
  }
}

function deformConvEntries(
  layer: DeformConvLayerBase,
  state: StateDict,
  prefix: string,
  requireBranch: boolean,
): Entry[] {
  const hasBias = state.has(`${prefix}bias`);
  // A torchvision/mmcv checkpoint without the weight says nothing about the bias:
  // the weight's own missing-key error comes first then.
  if (state.has(`${prefix}weight`) && layer.useBias !== hasBias) {
    throw new Error(
      `loadStateDict: ${layer.name}: the state dict ${hasBias ? 'has' : 'has no'} ` +
        `'${prefix}bias'; create the layer with useBias: ${hasBias}`,
    );
  }
  const e = new Entries(prefix).add('kernel', 'weight', conv);
  if (layer.useBias) {
    e.add('bias', 'bias');
  }
  // The offset branch: mmcv's conv_offset, CharlesShang's conv_offset_mask, or mmcv's
  // legacy sibling <parent>.<name>_offset. None in torchvision (offsets are an input).
  const branch =
    [`${prefix}conv_offset.`, `${prefix}conv_offset_mask.`, prefix.replace(/\.$/, '_offset.')].find(
      key => state.has(`${key}weight`),
    ) ?? (requireBranch ? `${prefix}conv_offset.` : null);
  if (branch != null) {
    e.add('offset_kernel', `${branch}weight`, conv, true);
    e.add('offset_bias', `${branch}bias`, as, true);
  }
  return e.list;
}

function dcnv3Entries(layer: DCNv3, prefix: string): Entry[] {
  const e = new Entries(prefix)
    .add('input_proj_kernel', 'input_proj.weight', linear)
    .add('input_proj_bias', 'input_proj.bias')
    .add('dw_kernel', 'dw_conv.0.weight', depthwise)
    .add('dw_bias', 'dw_conv.0.bias')
    .add('norm_gamma', 'dw_conv.1.1.weight')
    .add('norm_beta', 'dw_conv.1.1.bias')
    .add('offset_kernel', 'offset.weight', linear)
    .add('offset_bias', 'offset.bias')
    .add('mask_kernel', 'mask.weight', linear)
    .add('mask_bias', 'mask.bias')
    .add('output_proj_kernel', 'output_proj.weight', linear)
    .add('output_proj_bias', 'output_proj.bias');
  if (layer.centerFeatureScale) {
    e.add('center_feature_scale_kernel', 'center_feature_scale_proj_weight', linear);
    e.add('center_feature_scale_bias', 'center_feature_scale_proj_bias');
  }
  return e.list;
}

function involutionEntries(prefix: string): Entry[] {
  return new Entries(prefix)
    .add('reduce_kernel', 'conv1.conv.weight', pointwise)
    .add('bn_gamma', 'conv1.bn.weight')
    .add('bn_beta', 'conv1.bn.bias')
    .add('bn_moving_mean', 'conv1.bn.running_mean')
    .add('bn_moving_variance', 'conv1.bn.running_var')
    .add('span_kernel', 'conv2.conv.weight', pointwise)
    .add('span_bias', 'conv2.conv.bias').list;
}

function deformRoiPoolEntries(layer: DeformRoIPool, prefix: string): Entry[] {
  if (!layer.offsetBranch) {
    return [];
  }
  const size = layer.outputSize;
  const firstKernel = layer.weights.find(w => w.originalName.endsWith('/offset_fc0_kernel'))!;
  const channels = (firstKernel.shape[0] as number) / (size[0] * size[1]);
  const offsets = offsetOutputs(size);
  const e = new Entries(prefix)
    .add('offset_fc0_kernel', 'offset_fc.0.weight', nchwFlattenRows(channels, size))
    .add('offset_fc0_bias', 'offset_fc.0.bias')
    .add('offset_fc1_kernel', 'offset_fc.2.weight', linear)
    .add('offset_fc1_bias', 'offset_fc.2.bias')
    .add('offset_fc2_kernel', 'offset_fc.4.weight', offsets.kernel)
    .add('offset_fc2_bias', 'offset_fc.4.bias', offsets.bias);
  if (layer.modulated) {
    e.add('mask_fc0_kernel', 'mask_fc.0.weight', nchwFlattenRows(channels, size))
      .add('mask_fc0_bias', 'mask_fc.0.bias')
      .add('mask_fc1_kernel', 'mask_fc.2.weight', linear)
      .add('mask_fc1_bias', 'mask_fc.2.bias');
  }
  return e.list;
}

/** tfjs's own layers as the PyTorch modules they stand for. */
function stockEntries(layer: layers.Layer, prefix: string): Entry[] | null {
  const className = layer.getClassName();
  const e = new Entries(prefix);
  const hasBias = layer.weights.some(w => w.originalName.endsWith('/bias'));
  if (className === 'Conv2D' || className === 'Dense') {
    e.add('kernel', 'weight', className === 'Conv2D' ? conv : linear);
    return (hasBias ? e.add('bias', 'bias') : e).list;
  }
  if (className === 'BatchNormalization') {
    return e
      .add('gamma', 'weight')
      .add('beta', 'bias')
      .add('moving_mean', 'running_mean')
      .add('moving_variance', 'running_var').list;
  }
  if (className === 'LayerNormalization' || layer instanceof ChannelLayerNorm) {
    return e.add('gamma', 'weight').add('beta', 'bias').list;
  }
  return null;
}

/**
 * The entries of `layer`'s weights, its module's keys under `prefix` (e.g.
 * `'backbone.layer2.0.conv2.'`); a LayerScale's parameter is the key `prefix`
 * without its final dot. In a whole model (`wholeModel`) a deformable layer's
 * offset branch is expected (as mmcv's `conv_offset`) when the state dict has
 * none.
 */
export function layerEntries(
  layer: layers.Layer,
  state: StateDict,
  prefix: string,
  wholeModel = false,
): Entry[] {
  if (layer instanceof DeformConvLayerBase) {
    return deformConvEntries(layer, state, prefix, wholeModel);
  }
  if (layer instanceof DCNv3) {
    return dcnv3Entries(layer, prefix);
  }
  if (layer instanceof Involution) {
    return involutionEntries(prefix);
  }
  if (layer instanceof DeformRoIPool) {
    return deformRoiPoolEntries(layer, prefix);
  }
  if (layer instanceof LayerScale) {
    return new Entries(prefix).add('gamma', prefix.replace(/\.$/, ''), as, true).list;
  }
  const stock = stockEntries(layer, prefix);
  if (stock == null) {
    throw new Error(`loadStateDict: ${layer.getClassName()} is not a layer of tfjs-deform`);
  }
  return stock;
}
