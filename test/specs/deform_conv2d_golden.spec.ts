/**
 * Numbers computed by the peers: mmcv's DeformConv2dPack / ModulatedDeformConv2dPack
 * unit tests (outputs and gradients through the offset conv) and ONNX's
 * DeformConv backend tests. The offset convs are rebuilt with tf.conv2d.
 */
import * as tf from '@tensorflow/tfjs-core';

import {deformConv2d, modulatedDeformConv2d} from '../../src/index';
import mmcvV1 from '../fixtures/golden/mmcv/deform_conv.json';
import mmcvV2 from '../fixtures/golden/mmcv/modulated_deform_conv.json';
import onnx from '../fixtures/golden/onnx/deform_conv.json';
import {describeAllBackends} from '../util/backends';
import {expectClose} from '../util/expect';
import {fromGolden, GoldenTensor, nchwToNhwc, oihwToHwio} from '../util/golden';

// The literals are exact (see the fixtures' README): float32 tolerance.
const TOL = {atol: 1e-5, rtol: 1e-4};

type Pack = (
  x: tf.Tensor,
  weight: tf.Tensor,
  offsetWeight: tf.Tensor,
  offsetBias: tf.Tensor,
) => tf.Tensor;
interface PackCase {
  expected_output: GoldenTensor;
  expected_grads: Record<'x' | 'weight' | 'offset_conv_weight' | 'offset_conv_bias', GoldenTensor>;
}

/** An mmcv `*Pack` module's output and the gradients of `sum(output)` w.r.t. x and its parameters. */
async function expectPack(c: PackCase, pack: Pack, params: tf.Tensor[]) {
  await expectClose(
    pack(params[0], params[1], params[2], params[3]),
    nchwToNhwc(c.expected_output),
    TOL,
    'output',
  );
  const [dx, dw, dow, dob] = tf.grads((x, w, ow, ob) => tf.sum(pack(x, w, ow, ob)))(params);
  const g = c.expected_grads;
  await expectClose(dx, nchwToNhwc(g.x), TOL, 'dx');
  await expectClose(dw, oihwToHwio(g.weight), TOL, 'dWeight');
  await expectClose(dow, oihwToHwio(g.offset_conv_weight), TOL, 'dOffsetConvWeight');
  await expectClose(dob, fromGolden(g.offset_conv_bias), TOL, 'dOffsetConvBias');
}

describeAllBackends('deformConv2d golden (mmcv DeformConv2dPack)', () => {
  const c = mmcvV1.cases[0];

  it('reproduces output and gradients through the offset conv', async () => {
    const x = nchwToNhwc(c.inputs.x);
    const weight = oihwToHwio(c.params.weight);
    const offsetWeight = oihwToHwio(c.params.offset_conv_weight);
    const offsetBias = fromGolden(c.params.offset_conv_bias);
    const pack = (x: tf.Tensor, w: tf.Tensor, ow: tf.Tensor, ob: tf.Tensor) => {
      const offset = tf.add(tf.conv2d(x as tf.Tensor4D, ow as tf.Tensor4D, 1, 'valid'), ob);
      return deformConv2d({x, filter: w, offset});
    };
    await expectPack(c as unknown as PackCase, pack, [x, weight, offsetWeight, offsetBias]);
  });
});

describeAllBackends('modulatedDeformConv2d golden (mmcv ModulatedDeformConv2dPack)', () => {
  const c = mmcvV2.cases[0];

  it('reproduces output and gradients, mmcv rule at exact -1 samples', async () => {
    const x = nchwToNhwc(c.inputs.x);
    const weight = oihwToHwio(c.params.weight as GoldenTensor);
    const [offsetWeight, offsetBias] = [tf.zeros([2, 2, 1, 12]), tf.zeros([12])];
    const taps = 4;
    const pack = (x: tf.Tensor, w: tf.Tensor, ow: tf.Tensor, ob: tf.Tensor) => {
      const t = tf.add(tf.conv2d(x as tf.Tensor4D, ow as tf.Tensor4D, 1, 1), ob);
      const [offset, logits] = tf.split(t, [2 * taps, taps], 3);
      return modulatedDeformConv2d({x, filter: w, offset, mask: tf.sigmoid(logits), pad: 1});
    };
    await expectPack(c as unknown as PackCase, pack, [x, weight, offsetWeight, offsetBias]);
  });
});

describeAllBackends('deformConv2d golden (ONNX DeformConv backend tests)', () => {
  for (const c of onnx.cases) {
    it(c.name, async () => {
      const a = c.attributes_effective;
      const inputs = c.inputs as Record<string, GoldenTensor>;
      const args = {
        x: nchwToNhwc(inputs.X),
        filter: oihwToHwio(inputs.W),
        offset: nchwToNhwc(inputs.offset),
        bias: inputs.B && fromGolden(inputs.B),
        strides: a.strides as [number, number],
        dilations: a.dilations as [number, number],
        pad: [
          [a.pads[0], a.pads[2]],
          [a.pads[1], a.pads[3]],
        ] as [[number, number], [number, number]],
        groups: a.group,
        offsetGroups: a.offset_group,
      };
      const y = inputs.mask
        ? modulatedDeformConv2d({...args, mask: nchwToNhwc(inputs.mask)})
        : deformConv2d(args);
      await expectClose(y, nchwToNhwc(c.expected_output.Y), TOL, 'Y');
    });
  }
});
