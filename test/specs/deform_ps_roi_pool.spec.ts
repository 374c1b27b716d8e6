/**
 * DCNv1's deformable position-sensitive RoI pooling: the worked examples of
 * docs/semantics.md §5.5 (values and offset gradients), the position-sensitive
 * channel mapping, finite differences at non-integer sample positions,
 * errors and leaks.
 */
import * as tf from '@tensorflow/tfjs-core';

import {DeformPSRoIPool, deformPsRoiPool, DeformPSRoIPoolBackprop} from '../../src/index';
import {describeAllBackends} from '../util/backends';
import {expectClose, expectNoLeaks} from '../util/expect';
import {checkGradients} from '../util/finite_diff';
import {rng, uniform} from '../util/random';

const plane = () => tf.reshape(tf.range(0, 16), [1, 4, 4, 1]);
const unitRoi = () => tf.tensor2d([[0, 0, 0, 1, 1]]);
const single = {outputDim: 1, groupSize: 1, outputSize: 1, samplesPerPart: 2};

describeAllBackends(
  'deformPsRoiPool',
  () => {
    it('reproduces docs/semantics.md example 5.5 without and with trans, gradients included', async () => {
      await expectClose(deformPsRoiPool({x: plane(), rois: unitRoi(), ...single}), [1.25], {
        atol: 1e-6,
      });
      const f = (x: tf.Tensor, o: tf.Tensor) =>
        deformPsRoiPool({x, rois: unitRoi(), offset: o, transStd: 0.1, ...single});
      const offset = tf.tensor4d([1, 0], [1, 1, 1, 2]);
      await expectClose(f(plane(), offset), [1.35], {atol: 1e-6});
      await expectClose(tf.grads(f)([plane(), offset])[1], [0.1, 0.4], {atol: 1e-6});
      // noTrans ignores the offset.
      await expectClose(
        deformPsRoiPool({
          x: plane(),
          rois: unitRoi(),
          offset,
          transStd: 0.1,
          noTrans: true,
          ...single,
        }),
        [1.25],
        {atol: 1e-6},
      );
    });

    it('reads channel (ct * gs + gh) * gs + gw for bin (ph, pw)', async () => {
      const x = tf.tile(tf.tensor4d([0, 10, 20, 30], [1, 1, 1, 4]), [1, 4, 4, 1]);
      const y = deformPsRoiPool({
        x,
        rois: tf.tensor2d([[0, 0, 0, 3, 3]]),
        outputDim: 1,
        groupSize: 2,
        outputSize: 2,
      });
      await expectClose(y, [0, 10, 20, 30], {atol: 1e-5});
    });

    it('has gradients matching finite differences at non-integer sample positions', async () => {
      const random = rng(7);
      // Both RoIs span 4 pixels from a half-pixel start (x1 - 0.5 to x2 + 0.5),
      // so with 2x2 bins and 2 samples each the samples sit at .5 plus the shift
      // transStd * 4 * offset, which is in [0, 0.2] for offsets in [0, 0.5]:
      // fractional parts stay in [0.5, 0.7], away from sampler P's kinks.
      const rois = tf.tensor2d([
        [0, 1, 1, 4, 4],
        [1, 2, 1, 5, 4],
      ]);
      const offset = uniform(random, [2, 2, 2, 4], 0, 0.5);
      await checkGradients(
        (x, o) =>
          deformPsRoiPool({
            x,
            rois,
            offset: o,
            outputDim: 2,
            groupSize: 2,
            outputSize: 2,
            samplesPerPart: 2,
            transStd: 0.1,
          }),
        [uniform(random, [2, 8, 8, 8]), offset],
        ['x', 'offset'],
        {step: 0.01, entries: 8},
      );
    });

    it('rejects bad arguments naming deformPsRoiPool and the argument', () => {
      const x = tf.zeros([1, 5, 5, 8]);
      const rois = tf.tensor2d([[0, 1, 1, 3, 3]]);
      const args = {x, rois, outputDim: 2, groupSize: 2, outputSize: 2};
      expect(() => deformPsRoiPool({...args, outputDim: 3})).toThrowError(
        /^deformPsRoiPool: x must have outputDim \* groupSize² = 12 channels, got 8/,
      );
      expect(() => deformPsRoiPool({...args, offset: tf.zeros([1, 2, 2, 3])})).toThrowError(
        /offset must have shape \[1, 2,2, 2 \* classes\]/,
      );
      expect(() => deformPsRoiPool({...args, offset: tf.zeros([1, 2, 2, 6])})).toThrowError(
        /outputDim \(2\) must be divisible by the offset's 3 classes/,
      );
      expect(() => deformPsRoiPool({...args, rois: tf.tensor2d([[1, 1, 1, 3, 3]])})).toThrowError(
        /RoI 0 has batch index 1, outside \[0, 1\)/,
      );
      expect(() => deformPsRoiPool({...args, samplesPerPart: 0})).toThrowError(
        /samplesPerPart must be a positive integer/,
      );
    });

    it('leaves no tensors behind (op and gradients)', async () => {
      const random = rng(8);
      const x = uniform(random, [1, 6, 6, 8]);
      const rois = tf.tensor2d([[0, 1, 1, 4, 4]]);
      const offset = uniform(random, [1, 2, 2, 2]);
      const f = (x: tf.Tensor, o: tf.Tensor) =>
        deformPsRoiPool({
          x,
          rois,
          offset: o,
          outputDim: 2,
          groupSize: 2,
          outputSize: 2,
          transStd: 0.1,
        });
      await expectNoLeaks(() => f(x, offset));
      await expectNoLeaks(() => tf.grads((x, o) => tf.sum(f(x, o)))([x, offset]));
    });
  },
  [DeformPSRoIPool, DeformPSRoIPoolBackprop],
);
