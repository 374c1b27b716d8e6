/**
 * PyTorch state dicts in safetensors loaded into our layers: mmcv's
 * DeformConv2dPack / ModulatedDeformConv2dPack test modules reproduce mmcv's
 * outputs and gradients; the RoI-pooling and involution conversions (flatten
 * orders, 1x1 convs, BatchNorm statistics) match PyTorch's computation
 * written out with stock ops on the PyTorch-layout tensors.
 */
import * as tf from '@tensorflow/tfjs-core';

import {
  deformRoiPool,
  involution,
  layers,
  loadStateDict,
  modulatedDeformRoiPool,
  parseSafetensors,
} from '../../src/index';
import type {DeformConvLayerBase} from '../../src/layers/deform_conv_layer_base';
import mmcvV1 from '../fixtures/golden/mmcv/deform_conv.json';
import mmcvV2 from '../fixtures/golden/mmcv/modulated_deform_conv.json';
import {describeAllBackends} from '../util/backends';
import {expectClose} from '../util/expect';
import {fromGolden, GoldenTensor, nchwToNhwc, oihwToHwio} from '../util/golden';
import {rng} from '../util/random';
import {writeSafetensors} from '../util/safetensors_writer';

const TOL = {atol: 1e-5, rtol: 1e-4};
const golden = (t: GoldenTensor) => ({
  shape: t.shape,
  data: (t.data as number[]).flat(4) as number[],
});
const filled = (shape: number[], value: number) => ({
  shape,
  data: new Array(shape.reduce((a, b) => a * b, 1)).fill(value),
});
const random = (seed: number, shape: number[], scale = 0.3) => {
  const r = rng(seed);
  return {
    shape,
    data: Array.from({length: shape.reduce((a, b) => a * b, 1)}, () => (2 * r() - 1) * scale),
  };
};
const torch = (t: {shape: number[]; data: number[]}) => tf.tensor(t.data, t.shape);

/** Output and every gradient of `sum(layer(x))` against an mmcv Pack test case. */
async function expectMmcvPack(layer: DeformConvLayerBase, c: (typeof mmcvV1.cases)[0]) {
  const x = nchwToNhwc(c.inputs.x);
  await expectClose(
    layer.apply(x) as tf.Tensor,
    nchwToNhwc(c.expected_output as GoldenTensor),
    TOL,
    'output',
  );
  const [dx] = tf.grads((x: tf.Tensor) => tf.sum(layer.apply(x) as tf.Tensor))([x]);
  await expectClose(dx, nchwToNhwc(c.expected_grads.x as GoldenTensor), TOL, 'dx');
  const {grads} = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar);
  const grad = (name: string) =>
    grads[layer.weights.find(w => w.originalName.endsWith(`/${name}`))!.name];
  await expectClose(
    grad('kernel'),
    oihwToHwio(c.expected_grads.weight as GoldenTensor),
    TOL,
    'dWeight',
  );
  await expectClose(
    grad('offset_kernel'),
    oihwToHwio(c.expected_grads.offset_conv_weight as GoldenTensor),
    TOL,
    'dOffsetWeight',
  );
  await expectClose(
    grad('offset_bias'),
    fromGolden(c.expected_grads.offset_conv_bias as GoldenTensor),
    TOL,
    'dOffsetBias',
  );
}

describeAllBackends('PyTorch state dicts (safetensors)', () => {
  it('load mmcv DeformConv2dPack (prefixed, and with the legacy sibling keys) and reproduce mmcv', async () => {
    const c = mmcvV1.cases[0];
    for (const [weightKey, offsetKey] of [
      ['backbone.dcn.weight', 'backbone.dcn.conv_offset.'],
      ['backbone.dcn.weight', 'backbone.dcn_offset.'],
    ]) {
      const file = writeSafetensors({
        [weightKey]: golden(c.params.weight),
        [`${offsetKey}weight`]: golden(c.params.offset_conv_weight),
        [`${offsetKey}bias`]: golden(c.params.offset_conv_bias),
      });
      const layer = layers.deformConv2d({filters: 1, kernelSize: 2, useBias: false});
      layer.apply(tf.zeros([1, 3, 3, 1]));
      loadStateDict(layer, parseSafetensors(file), 'backbone.dcn.');
      await expectMmcvPack(layer, c);
    }
  });

  it('load mmcv ModulatedDeformConv2dPack (pad 1) and reproduce mmcv, mmcv rule at -1 included', async () => {
    const c = mmcvV2.cases[0];
    const file = writeSafetensors(
      {
        weight: filled([1, 1, 2, 2], 1),
        'conv_offset.weight': filled([12, 1, 2, 2], 0),
        'conv_offset.bias': filled([12], 0),
      },
      'F64',
    );
    const layer = layers.modulatedDeformConv2d({
      filters: 1,
      kernelSize: 2,
      padding: 1,
      useBias: false,
    });
    layer.apply(tf.zeros([1, 3, 3, 1]));
    loadStateDict(layer, parseSafetensors(file));
    await expectMmcvPack(layer, c as unknown as (typeof mmcvV1.cases)[0]);
  });

  it('load mmcv ModulatedDeformRoIPoolPack: the NCHW flatten and offset orders are converted', async () => {
    const [c, ph, pw, f] = [3, 2, 3, 8];
    const bins = ph * pw;
    const state = {
      'offset_fc.0.weight': random(1, [f, c * bins]),
      'offset_fc.0.bias': random(2, [f]),
      'offset_fc.2.weight': random(3, [f, f]),
      'offset_fc.2.bias': random(4, [f]),
      'offset_fc.4.weight': random(5, [2 * bins, f]),
      'offset_fc.4.bias': random(6, [2 * bins]),
      'mask_fc.0.weight': random(7, [f, c * bins]),
      'mask_fc.0.bias': random(8, [f]),
      'mask_fc.2.weight': random(9, [bins, f]),
      'mask_fc.2.bias': random(10, [bins]),
    };
    const x = tf.tensor4d(random(11, [2, 8, 9, c], 1).data, [2, 8, 9, c]);
    const rois = tf.tensor2d([
      [0, 1.3, 0.7, 6.1, 5.2],
      [1, 0.4, 2.2, 4.4, 7.3],
    ]);
    const attrs = {outputSize: [ph, pw] as [number, number], samplingRatio: 2};
    const layer = layers.deformRoiPool({...attrs, modulated: true, deformFcChannels: f});
    layer.apply([x, rois]);
    loadStateDict(layer, parseSafetensors(writeSafetensors(state)));
    // PyTorch's forward: NCHW flatten, Linear = x·Wᵀ + b, offsets [R, 2, ph, pw], mask [R, 1, ph, pw].
    const linear = (t: tf.Tensor, key: string) =>
      tf.add(
        tf.matMul(t, torch(state[`${key}.weight` as keyof typeof state]), false, true),
        torch(state[`${key}.bias` as keyof typeof state]),
      );
    const flat = tf.reshape(tf.transpose(deformRoiPool({x, rois, ...attrs}), [0, 3, 1, 2]), [
      2,
      c * bins,
    ]);
    const offsetNchw = linear(
      tf.relu(linear(tf.relu(linear(flat, 'offset_fc.0')), 'offset_fc.2')),
      'offset_fc.4',
    );
    const offset = tf.transpose(tf.reshape(offsetNchw, [2, 2, ph, pw]), [0, 2, 3, 1]);
    const mask = tf.reshape(tf.sigmoid(linear(tf.relu(linear(flat, 'mask_fc.0')), 'mask_fc.2')), [
      2,
      ph,
      pw,
      1,
    ]);
    await expectClose(
      layer.apply([x, rois]) as tf.Tensor,
      modulatedDeformRoiPool({x, rois, offset, mask, ...attrs}),
      TOL,
    );
  });

  it('load RedNet involution (1x1 convs, BatchNorm statistics) and compute as PyTorch does', async () => {
    const [c, k, s] = [32, 3, 2];
    const [reduced, span] = [c / 4, (c / 16) * k * k];
    const variance = {shape: [reduced], data: random(5, [reduced], 0.5).data.map(v => 1 + v)};
    const state = {
      'conv1.conv.weight': random(1, [reduced, c, 1, 1]),
      'conv1.bn.weight': random(2, [reduced]),
      'conv1.bn.bias': random(3, [reduced]),
      'conv1.bn.running_mean': random(4, [reduced]),
      'conv1.bn.running_var': variance,
      'conv2.conv.weight': random(6, [span, reduced, 1, 1]),
      'conv2.conv.bias': random(7, [span]),
    };
    const x = tf.tensor4d(random(8, [2, 6, 8, c], 1).data, [2, 6, 8, c]);
    const layer = layers.involution({kernelSize: k, strides: s});
    layer.apply(x);
    loadStateDict(layer, parseSafetensors(writeSafetensors(state)));
    const pointwise = (t: tf.Tensor, key: keyof typeof state, out: number) =>
      tf.conv2d(
        t as tf.Tensor4D,
        tf.transpose(tf.reshape(torch(state[key]), [out, -1, 1, 1]), [2, 3, 1, 0]) as tf.Tensor4D,
        1,
        'valid',
      );
    const pooled = tf.avgPool(x, s, s, 'valid');
    const bn = tf.batchNorm(
      pointwise(pooled, 'conv1.conv.weight', reduced),
      torch(state['conv1.bn.running_mean']),
      torch(variance),
      torch(state['conv1.bn.bias']),
      torch(state['conv1.bn.weight']),
      1e-5,
    );
    const kernel = tf.add(
      pointwise(tf.relu(bn), 'conv2.conv.weight', span),
      torch(state['conv2.conv.bias']),
    );
    await expectClose(
      layer.apply(x) as tf.Tensor,
      involution({x, kernel, kernelSize: k, strides: s, groups: c / 16}),
      TOL,
    );
  });

  it('load InternImage DCNv3 entries into their places', async () => {
    const [c, g, p] = [8, 2, 9];
    const layer = layers.dcnv3({groups: g, centerFeatureScale: true});
    layer.apply(tf.zeros([1, 5, 5, c]));
    const state = {
      'input_proj.weight': random(1, [c, c]),
      'input_proj.bias': random(2, [c]),
      'dw_conv.0.weight': random(3, [c, 1, 3, 3]),
      'dw_conv.0.bias': random(4, [c]),
      'dw_conv.1.1.weight': random(5, [c]),
      'dw_conv.1.1.bias': random(6, [c]),
      'offset.weight': random(7, [g * p * 2, c]),
      'offset.bias': random(8, [g * p * 2]),
      'mask.weight': random(9, [g * p, c]),
      'mask.bias': random(10, [g * p]),
      center_feature_scale_proj_weight: random(11, [g, c]),
      center_feature_scale_proj_bias: random(12, [g]),
      'output_proj.weight': random(13, [c, c]),
      'output_proj.bias': random(14, [c]),
    };
    loadStateDict(layer, parseSafetensors(writeSafetensors(state)), '');
    const get = (name: string) =>
      layer.weights.find(w => w.originalName.endsWith(`/${name}`))!.read();
    await expectClose(get('input_proj_kernel'), tf.transpose(torch(state['input_proj.weight'])), {
      atol: 0,
      rtol: 0,
    });
    await expectClose(
      get('dw_kernel'),
      tf.transpose(torch(state['dw_conv.0.weight']), [2, 3, 0, 1]),
      {
        atol: 0,
        rtol: 0,
      },
    );
    await expectClose(get('offset_kernel'), tf.transpose(torch(state['offset.weight'])), {
      atol: 0,
      rtol: 0,
    });
    await expectClose(
      get('center_feature_scale_kernel'),
      tf.transpose(torch(state['center_feature_scale_proj_weight'])),
      {atol: 0, rtol: 0},
    );
    await expectClose(get('norm_beta'), torch(state['dw_conv.1.1.bias']), {atol: 0, rtol: 0});
  });

  it('report missing entries, wrong shapes, unbuilt layers and bad files clearly', () => {
    const layer = layers.deformConv2d({filters: 2, kernelSize: 3});
    expect(() => loadStateDict(layer, new Map())).toThrowError(/is not built yet/);
    layer.apply(tf.zeros([1, 5, 5, 2]));
    const file = (state: Record<string, {shape: number[]; data: number[]}>) =>
      parseSafetensors(writeSafetensors(state));
    expect(() => loadStateDict(layer, file({}), 'm.')).toThrowError(
      /no m\.weight in the state dict/,
    );
    expect(() => loadStateDict(layer, file({weight: filled([2, 2, 3, 3], 0)}))).toThrowError(
      /has no 'bias'; create the layer with useBias: false/,
    );
    expect(() =>
      loadStateDict(layer, file({weight: filled([2, 2, 1, 3], 0), bias: filled([2], 0)})),
    ).toThrowError(/kernel is \[3,3,2,2\], the converted state dict entry is \[1,3,2,2\]/);
    expect(() => parseSafetensors(new Uint8Array(4))).toThrowError(
      /shorter than its 8-byte header length/,
    );
    const bad = writeSafetensors({w: filled([2], 1)});
    bad.set(
      new TextEncoder().encode('"I64"'),
      bad.indexOf(
        0x22,
        8 +
          bad
            .subarray(8)
            .findIndex((_, i) => new TextDecoder().decode(bad.subarray(8 + i, 13 + i)) === '"F32"'),
      ),
    );
    expect(() => parseSafetensors(bad)).toThrowError(/w has dtype I64/);
  });
});
