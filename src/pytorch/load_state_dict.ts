/**
 * Loads a PyTorch `state_dict` into our layers, converting layouts (see
 * docs/semantics.md §6): conv weights OIHW to HWIO, Linear weights transposed,
 * and the NCHW flatten orders of mmcv's RoI-pooling branches permuted.
 * The peers' key names: mmcv DeformConv2dPack / ModulatedDeformConv2dPack
 * (`weight`, `bias`, `conv_offset.*`, or the legacy sibling `<name>_offset.*`,
 * or CharlesShang's `conv_offset_mask.*`), torchvision DeformConv2d (`weight`,
 * `bias`: its offsets are an input, so our offset branch is left as it is),
 * InternImage DCNv3, RedNet involution (`conv1.conv`, `conv1.bn`,
 * `conv2.conv`) and mmcv DeformRoIPoolPack / ModulatedDeformRoIPoolPack.
 */
import {reshape, tensor, Tensor, tidy, transpose} from '@tensorflow/tfjs-core';
import type {layers} from '@tensorflow/tfjs-layers';

import {DCNv3} from '../layers/dcnv3_layer';
import {DeformConvLayerBase} from '../layers/deform_conv_layer_base';
import {DeformRoIPool} from '../layers/deform_roi_pool_layer';
import {Involution} from '../layers/involution_layer';
import type {StateDict} from './safetensors';

/** Reads the entries under one module's prefix, with errors naming what is missing. */
class ModuleState {
  constructor(
    readonly layer: string,
    readonly state: StateDict,
    readonly prefix: string,
  ) {}

  has(key: string): boolean {
    return this.state.has(this.prefix + key);
  }

  /** The entry `prefix + key`. */
  get(key: string): Tensor {
    return this.absolute(this.prefix + key);
  }

  /** The entry `key`, whatever the prefix. */
  absolute(key: string): Tensor {
    const t = this.state.get(key);
    if (t == null) {
      const near = [...this.state.keys()].filter(k => k.startsWith(this.prefix)).slice(0, 8);
      throw new Error(
        `loadStateDict: ${this.layer}: no ${key} in the state dict ` +
          `(under '${this.prefix}': ${near.join(', ') || 'nothing'})`,
      );
    }
    return tensor(t.data, t.shape, 'float32');
  }
}

const conv = (t: Tensor) => transpose(t, [2, 3, 1, 0]); // [O, I, kh, kw] -> [kh, kw, I, O]
const depthwise = (t: Tensor) => transpose(t, [2, 3, 0, 1]); // [C, 1, k, k] -> [k, k, C, 1]
const linear = (t: Tensor) => transpose(t, [1, 0]); // [out, in] -> [in, out]
const pointwise = (t: Tensor) => linear(reshape(t, t.shape.slice(0, 2))); // [out, in, 1, 1] -> [in, out]

/** mmcv's RoI branch input: columns `c·ph·pw + i·pw + j` become rows `(i·pw + j)·C + c`. */
function nchwFlattenRows(weight: Tensor, channels: number, [ph, pw]: [number, number]): Tensor {
  const f = weight.shape[0] as number;
  return reshape(transpose(reshape(weight, [f, channels, ph, pw]), [2, 3, 1, 0]), [
    ph * pw * channels,
    f,
  ]);
}

/** mmcv's offset layer (weight `[2 ph pw, F]`): outputs `k·ph·pw + i·pw + j` (k: Δx, Δy) become `(i·pw + j)·2 + k`. */
function offsetOutputs(weight: Tensor, bias: Tensor, [ph, pw]: [number, number]): [Tensor, Tensor] {
  const f = weight.shape[1] as number;
  return [
    reshape(transpose(reshape(weight, [2, ph, pw, f]), [3, 1, 2, 0]), [f, ph * pw * 2]),
    reshape(transpose(reshape(bias, [2, ph, pw]), [1, 2, 0]), [ph * pw * 2]),
  ];
}

function deformConvWeights(layer: DeformConvLayerBase, m: ModuleState): Record<string, Tensor> {
  const weights: Record<string, Tensor> = {kernel: conv(m.get('weight'))};
  if (layer.useBias !== m.has('bias')) {
    throw new Error(
      `loadStateDict: ${layer.name}: the state dict ${m.has('bias') ? 'has' : 'has no'} ` +
        `'${m.prefix}bias'; create the layer with useBias: ${m.has('bias')}`,
    );
  }
  if (layer.useBias) {
    weights.bias = m.get('bias');
  }
  // The offset branch: mmcv's conv_offset, CharlesShang's conv_offset_mask, or mmcv's
  // legacy sibling <parent>.<name>_offset. None in torchvision (offsets are an input).
  const branch = [
    `${m.prefix}conv_offset.`,
    `${m.prefix}conv_offset_mask.`,
    m.prefix.replace(/\.$/, '_offset.'),
  ].find(key => m.state.has(`${key}weight`));
  if (branch != null) {
    weights.offset_kernel = conv(m.absolute(`${branch}weight`));
    weights.offset_bias = m.absolute(`${branch}bias`);
  }
  return weights;
}

function dcnv3Weights(layer: DCNv3, m: ModuleState): Record<string, Tensor> {
  const weights: Record<string, Tensor> = {
    input_proj_kernel: linear(m.get('input_proj.weight')),
    input_proj_bias: m.get('input_proj.bias'),
    dw_kernel: depthwise(m.get('dw_conv.0.weight')),
    dw_bias: m.get('dw_conv.0.bias'),
    norm_gamma: m.get('dw_conv.1.1.weight'),
    norm_beta: m.get('dw_conv.1.1.bias'),
    offset_kernel: linear(m.get('offset.weight')),
    offset_bias: m.get('offset.bias'),
    mask_kernel: linear(m.get('mask.weight')),
    mask_bias: m.get('mask.bias'),
    output_proj_kernel: linear(m.get('output_proj.weight')),
    output_proj_bias: m.get('output_proj.bias'),
  };
  if (layer.centerFeatureScale) {
    weights.center_feature_scale_kernel = linear(m.get('center_feature_scale_proj_weight'));
    weights.center_feature_scale_bias = m.get('center_feature_scale_proj_bias');
  }
  return weights;
}

function involutionWeights(m: ModuleState): Record<string, Tensor> {
  return {
    reduce_kernel: pointwise(m.get('conv1.conv.weight')),
    bn_gamma: m.get('conv1.bn.weight'),
    bn_beta: m.get('conv1.bn.bias'),
    bn_moving_mean: m.get('conv1.bn.running_mean'),
    bn_moving_variance: m.get('conv1.bn.running_var'),
    span_kernel: pointwise(m.get('conv2.conv.weight')),
    span_bias: m.get('conv2.conv.bias'),
  };
}

function deformRoiPoolWeights(
  layer: DeformRoIPool,
  m: ModuleState,
  channels: number,
): Record<string, Tensor> {
  if (!layer.offsetBranch) {
    return {};
  }
  const size = layer.outputSize;
  const [offsetKernel, offsetBias] = offsetOutputs(
    m.get('offset_fc.4.weight'),
    m.get('offset_fc.4.bias'),
    size,
  );
  const weights: Record<string, Tensor> = {
    offset_fc0_kernel: nchwFlattenRows(m.get('offset_fc.0.weight'), channels, size),
    offset_fc0_bias: m.get('offset_fc.0.bias'),
    offset_fc1_kernel: linear(m.get('offset_fc.2.weight')),
    offset_fc1_bias: m.get('offset_fc.2.bias'),
    offset_fc2_kernel: offsetKernel,
    offset_fc2_bias: offsetBias,
  };
  if (layer.modulated) {
    weights.mask_fc0_kernel = nchwFlattenRows(m.get('mask_fc.0.weight'), channels, size);
    weights.mask_fc0_bias = m.get('mask_fc.0.bias');
    weights.mask_fc1_kernel = linear(m.get('mask_fc.2.weight'));
    weights.mask_fc1_bias = m.get('mask_fc.2.bias');
  }
  return weights;
}

/**
 * Assigns the PyTorch module's entries of `stateDict` (keys `prefix + name`,
 * e.g. prefix `'backbone.layer2.0.conv2.'`) to a built layer of this package.
 * Throws, naming the key, when an entry is missing or has the wrong shape.
 */
export function loadStateDict(layer: layers.Layer, stateDict: StateDict, prefix = ''): void {
  if (!layer.built) {
    throw new Error(
      `loadStateDict: ${layer.name} is not built yet: apply it to an input (or build its model) first`,
    );
  }
  tidy(() => {
    const m = new ModuleState(layer.name, stateDict, prefix);
    let weights: Record<string, Tensor>;
    if (layer instanceof DeformConvLayerBase) {
      weights = deformConvWeights(layer, m);
    } else if (layer instanceof DCNv3) {
      weights = dcnv3Weights(layer, m);
    } else if (layer instanceof Involution) {
      weights = involutionWeights(m);
    } else if (layer instanceof DeformRoIPool) {
      const firstKernel = layer.weights.find(w => w.originalName.endsWith('/offset_fc0_kernel'));
      const bins = layer.outputSize[0] * layer.outputSize[1];
      weights = deformRoiPoolWeights(
        layer,
        m,
        firstKernel ? (firstKernel.shape[0] as number) / bins : 0,
      );
    } else {
      throw new Error(`loadStateDict: ${layer.getClassName()} is not a layer of tfjs-deform`);
    }
    for (const variable of layer.weights) {
      const name = variable.originalName.slice(variable.originalName.lastIndexOf('/') + 1);
      const value = weights[name];
      if (value == null) {
        continue;
      }
      if (value.shape.join() !== variable.shape.join()) {
        throw new Error(
          `loadStateDict: ${layer.name}/${name} is [${variable.shape}], the converted ` +
            `state dict entry is [${value.shape}]`,
        );
      }
      variable.write(value);
    }
  });
}
