/**
 * onnxruntime-node's DeformConv on seeded random configurations (odd sizes,
 * batches, non-square kernels, strides, dilations, asymmetric pads, groups,
 * offset groups, offsets far outside the image). The fixture is regenerated
 * from ORT before every run (test/oracle/deform_conv_ort.ts).
 */
import * as tf from '@tensorflow/tfjs-core';

import {describeAllBackends} from '../util/backends';
import {expectClose} from '../util/expect';
import {ortCases, runOrtCase} from '../util/ort_cases';

describeAllBackends('deformConv2d vs onnxruntime DeformConv', () => {
  it('has enough oracle cases', () => {
    expect(ortCases.length).toBeGreaterThanOrEqual(20);
  });
  for (const c of ortCases) {
    it(c.name, async () => {
      const y = tf.tidy(() => runOrtCase(c));
      const expected = tf.tensor(c.expected.data, c.expected.shape);
      await expectClose(y, expected, {atol: 2e-5, rtol: 1e-4}, c.name);
      tf.dispose([y, expected]);
    });
  }
});
