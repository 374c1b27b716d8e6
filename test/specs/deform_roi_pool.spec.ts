/**
 * Deformable RoI pooling (mmcv's DeformRoIPool and its modulated variant):
 * mmcv's test fixtures (outputs and input gradients), ONNX's RoiAlign test and
 * onnxruntime's RoiAlign on random configurations for zero offsets, a uniform
 * offset = a shifted RoI, mask 1 = plain, finite differences away from the
 * sampler's seams, RoI gradients, errors and leaks.
 */
import * as tf from '@tensorflow/tfjs-core';

import {
  DeformRoIPool,
  DeformRoIPoolBackprop,
  deformRoiPool,
  ModulatedDeformRoIPool,
  modulatedDeformRoiPool,
} from '../../src/index';
import ortRoiAlign from '../fixtures/generated/roi_align_ort.json';
import mmcv from '../fixtures/golden/mmcv/deform_roi_pool.json';
import onnx from '../fixtures/golden/onnx/roi_align.json';
import {ADAPTIVE, adaptiveInputs, seamDistance} from '../util/adaptive_roi';
import {describeAllBackends} from '../util/backends';
import {expectClose, expectNoLeaks} from '../util/expect';
import {checkGradients} from '../util/finite_diff';
import {GoldenTensor, nchwToNhwc} from '../util/golden';
import {rng, uniform} from '../util/random';

interface OrtTensor {
  shape: number[];
  data: number[];
}
interface RoiAlignCase {
  name: string;
  attrs: {outputSize: [number, number]; spatialScale: number; samplingRatio: number};
  inputs: {x: OrtTensor; rois: OrtTensor};
  expected: OrtTensor;
}
const ortCases = (ortRoiAlign as unknown as {cases: RoiAlignCase[]}).cases;
const tensor = (t: OrtTensor) => tf.tensor(t.data, t.shape, 'float32');

/** Features whose RoIs below stay one pixel inside, so samples never reach the sampler's seams. */
function interior(seed: number) {
  const random = rng(seed);
  return {
    x: uniform(random, [2, 9, 10, 3]),
    rois: tf.tensor2d([
      [1, 2.3, 1.7, 7.1, 6.2],
      [0, 1.6, 2.2, 5.4, 7.3],
      [1, 3.1, 2.9, 6.3, 5.8],
    ]),
    offset: uniform(random, [3, 2, 3, 2], -0.15, 0.15),
    mask: uniform(random, [3, 2, 3, 1], 0.2, 1),
  };
}
const interiorAttrs = {outputSize: [2, 3] as [number, number], samplingRatio: 2, gamma: 0.1};

describeAllBackends(
  'deformRoiPool',
  () => {
    for (const c of mmcv.cases) {
      it(`reproduces mmcv: ${c.name}`, async () => {
        const x = nchwToNhwc(c.inputs.x as GoldenTensor);
        const rois = tf.tensor(c.inputs.rois.data as number[][]);
        const attrs = {
          outputSize: c.config.output_size as [number, number],
          spatialScale: c.config.spatial_scale,
          samplingRatio: c.config.sampling_ratio,
          gamma: c.config.gamma,
        };
        const f = (x: tf.Tensor) => deformRoiPool({x, rois, ...attrs});
        await expectClose(f(x), nchwToNhwc(c.expected_output as GoldenTensor), {
          atol: 1e-5,
          rtol: 1e-5,
        });
        const [dx] = tf.grads((x: tf.Tensor) => tf.sum(f(x)))([x]);
        await expectClose(
          dx,
          nchwToNhwc(c.expected_grads.x as GoldenTensor),
          {atol: 1e-5, rtol: 1e-5},
          'dx',
        );
      });
    }

    it('equals ONNX RoiAlign (half_pixel, avg) on its backend test', async () => {
      const c = onnx.cases.find(c => c.name === 'test_roialign_aligned_true')!;
      const a = c.attributes_effective;
      const boxes = c.inputs.rois.data as number[][];
      const batch = c.inputs.batch_indices.data as number[];
      const y = deformRoiPool({
        x: nchwToNhwc(c.inputs.X as GoldenTensor),
        rois: boxes.map((b, r) => [batch[r], ...b]),
        outputSize: [a.output_height, a.output_width],
        spatialScale: a.spatial_scale,
        samplingRatio: a.sampling_ratio,
      });
      // The expectations are printed with 4 decimals.
      await expectClose(y, nchwToNhwc(c.expected_output.Y as GoldenTensor), {atol: 2e-4, rtol: 0});
    });

    it('has enough onnxruntime RoiAlign cases', () => {
      expect(ortCases.length).toBeGreaterThanOrEqual(15);
    });
    for (const c of ortCases) {
      it(`equals onnxruntime RoiAlign with zero offsets: ${c.name}`, async () => {
        const [y, expected] = tf.tidy(() => [
          deformRoiPool({x: tensor(c.inputs.x), rois: tensor(c.inputs.rois), ...c.attrs}),
          tensor(c.expected),
        ]);
        await expectClose(y, expected, {atol: 2e-5, rtol: 1e-4}, c.name);
        tf.dispose([y, expected]);
      });
    }

    it('with a uniform offset equals pooling the shifted RoI', async () => {
      const {x} = interior(1);
      const rois = [
        [1, 2.3, 1.7, 7.1, 6.2],
        [0, 1.6, 2.2, 5.4, 7.3],
      ];
      const [dx, dy] = [0.4, -0.3];
      const spatialScale = 0.5;
      const attrs = {...interiorAttrs, spatialScale};
      const y = deformRoiPool({
        x,
        rois: tf.tensor2d(rois),
        offset: tf.tile(tf.tensor4d([dx, dy], [1, 1, 1, 2]), [2, 2, 3, 1]),
        ...attrs,
      });
      // The shift is gamma * offset * RoI size in feature pixels: divide by the scale for image coordinates.
      const shifted = rois.map(([b, x1, y1, x2, y2]) => {
        const sx = 0.1 * dx * (x2 - x1);
        const sy = 0.1 * dy * (y2 - y1);
        return [b, x1 + sx, y1 + sy, x2 + sx, y2 + sy];
      });
      await expectClose(y, deformRoiPool({x, rois: tf.tensor2d(shifted), ...attrs}), {
        atol: 1e-5,
        rtol: 1e-5,
      });
    });

    it('with mask 1 equals the plain pooling, gradients included', async () => {
      const {x, rois, offset} = interior(2);
      const ones = tf.ones([3, 2, 3, 1]);
      const plain = (x: tf.Tensor, o: tf.Tensor) =>
        deformRoiPool({x, rois, offset: o, ...interiorAttrs});
      const modulated = (x: tf.Tensor, o: tf.Tensor) =>
        modulatedDeformRoiPool({x, rois, offset: o, mask: ones, ...interiorAttrs});
      await expectClose(modulated(x, offset), plain(x, offset), {atol: 1e-6, rtol: 0});
      const weights = uniform(rng(3), [3, 2, 3, 3]);
      const [gm, gp] = [modulated, plain].map(f =>
        tf.grads((x, o) => tf.sum(tf.mul(f(x, o), weights)))([x, offset]),
      );
      await expectClose(gm[0], gp[0], {atol: 1e-6, rtol: 0}, 'dx');
      await expectClose(gm[1], gp[1], {atol: 1e-6, rtol: 0}, 'dOffset');
    });

    it('has gradients matching finite differences inside the image (x, offset, mask)', async () => {
      const {x, rois, offset, mask} = interior(4);
      await checkGradients(
        (x, offset, mask) => modulatedDeformRoiPool({x, rois, offset, mask, ...interiorAttrs}),
        [x, offset, mask],
        ['x', 'offset', 'mask'],
        {step: 0.01, entries: 8},
      );
    });

    for (const modulated of [false, true]) {
      const name = modulated ? 'modulatedDeformRoiPool' : 'deformRoiPool';
      it(`${name} with adaptive sampling and RoIs of different grids has gradients matching finite differences`, async () => {
        const {x, rois, offset, mask, weights} = adaptiveInputs(modulated ? 12 : 11);
        const h = 0.01;
        const seams = seamDistance(rois, (await offset.data()) as Float32Array, [10, 13], h);
        expect(seams.grids).toEqual([
          [1, 1],
          [2, 4],
          [4, 2],
          [3, 3],
        ]);
        expect(seams.samples).withContext('samples from the seams').toBeGreaterThan(0.25);
        expect(seams.gridSizes).withContext('bin sizes from integers').toBeGreaterThan(0.05);
        const r = tf.tensor2d(rois);
        const f = (x: tf.Tensor, o: tf.Tensor, m: tf.Tensor) =>
          modulated
            ? modulatedDeformRoiPool({x, rois: r, offset: o, mask: m, ...ADAPTIVE})
            : deformRoiPool({x, rois: r, offset: o, ...ADAPTIVE});
        /** The loss of each bin, `Σ_c y * weights`: a bin's offset and mask move only its own. */
        const binLosses = async (x: tf.Tensor, o: tf.Tensor, m: tf.Tensor) => {
          const losses = tf.tidy(() => tf.sum(tf.mul(f(x, o, m), weights), 3));
          const values = Array.from(await losses.data());
          losses.dispose();
          return values;
        };
        const loss = (x: tf.Tensor, o: tf.Tensor, m: tf.Tensor) =>
          tf.sum(tf.mul(f(x, o, m), weights));
        const [dx, dOffset, dMask] = modulated
          ? tf.grads(loss)([x, offset, mask])
          : tf.grads((x: tf.Tensor, o: tf.Tensor) => loss(x, o, mask))([x, offset]);

        // The loss is linear in x: its gradient's dot product with any v is the loss at v.
        const random = rng(13);
        for (let k = 0; k < 3; k++) {
          const v = uniform(random, x.shape);
          await expectClose(
            [(await tf.sum(tf.mul(dx, v)).data())[0]],
            [(await binLosses(v, offset, mask)).reduce((a, b) => a + b)],
            {atol: 1e-4, rtol: 1e-4},
            `dx · v${k}`,
          );
        }
        // Central differences of every bin's loss, all bins' Δx (then Δy, then masks) moved at once.
        const central = async (shifted: (sign: number) => Promise<number[]>) => {
          const plus = await shifted(1);
          const minus = await shifted(-1);
          return plus.map((p, i) => (p - minus[i]) / (2 * h));
        };
        const tol = {atol: 2e-4, rtol: 1e-3};
        for (const c of [0, 1]) {
          const unit = tf.tensor([1 - c, c]);
          const gathered = tf.gather(dOffset, [c], 3);
          const analytic = Array.from(await gathered.data());
          gathered.dispose();
          await expectClose(
            analytic,
            await central(sign => binLosses(x, tf.add(offset, tf.mul(unit, sign * h)), mask)),
            tol,
            c === 0 ? 'dOffset Δx' : 'dOffset Δy',
          );
        }
        if (modulated) {
          await expectClose(
            dMask,
            await central(sign => binLosses(x, offset, tf.add(mask, sign * h))),
            tol,
            'dMask',
          );
        }
      });
    }

    it('gives zero gradients to the RoIs, and pools nothing from an inverted RoI (adaptive sampling)', async () => {
      const {x, rois} = interior(5);
      const [dRois] = tf.grads((r: tf.Tensor) =>
        tf.sum(deformRoiPool({x, rois: r, outputSize: 2})),
      )([rois]);
      expect(Array.from(await dRois.data())).toEqual(new Array(15).fill(0));
      const inverted = deformRoiPool({x, rois: tf.tensor2d([[0, 6, 2, 3, 7]]), outputSize: 2});
      expect(Array.from(await inverted.data())).toEqual(new Array(12).fill(0));
    });

    it('rejects bad arguments naming the op and the argument', () => {
      const x = tf.zeros([2, 5, 5, 3]);
      const rois = tf.tensor2d([
        [0, 1, 1, 3, 3],
        [1, 0, 0, 4, 4],
      ]);
      expect(() => deformRoiPool({x, rois: tf.zeros([2, 4]), outputSize: 2})).toThrowError(
        /^deformRoiPool: rois must have shape \[R, 5\] \(batchIndex, x1, y1, x2, y2\), got \[2,4\]/,
      );
      expect(() =>
        deformRoiPool({
          x,
          rois: tf.tensor2d([
            [0, 1, 1, 3, 3],
            [2, 0, 0, 4, 4],
          ]),
          outputSize: 2,
        }),
      ).toThrowError(/^deformRoiPool: RoI 1 has batch index 2, outside \[0, 2\)/);
      expect(() =>
        deformRoiPool({x, rois: tf.tensor2d([[-1, 1, 1, 3, 3]]), outputSize: 2}),
      ).toThrowError(/RoI 0 has batch index -1/);
      expect(() => deformRoiPool({x, rois, outputSize: 0})).toThrowError(
        /^deformRoiPool: outputSize must be a positive integer/,
      );
      expect(() => deformRoiPool({x, rois, outputSize: 2, samplingRatio: -1})).toThrowError(
        /samplingRatio must be a non-negative integer/,
      );
      expect(() =>
        deformRoiPool({x, rois, outputSize: 2, offset: tf.zeros([2, 2, 2, 3])}),
      ).toThrowError(/^deformRoiPool: offset must have shape \[2,2,2,2\], got \[2,2,2,3\]/);
      expect(() =>
        modulatedDeformRoiPool({
          x,
          rois,
          outputSize: 2,
          offset: tf.zeros([2, 2, 2, 2]),
          mask: tf.zeros([2, 2, 2, 2]),
        }),
      ).toThrowError(/^modulatedDeformRoiPool: mask must have shape \[2,2,2,1\]/);
      expect(() => deformRoiPool({x: tf.zeros([5, 5, 3]), rois, outputSize: 2})).toThrowError(
        /x must be of rank 4/,
      );
      expect(() => deformRoiPool({x, rois, outputSize: 2, spatialScale: NaN})).toThrowError(
        /spatialScale must be a finite number/,
      );
    });

    it('leaves no tensors behind (ops and gradients)', async () => {
      const {x, rois, offset, mask} = interior(6);
      await expectNoLeaks(() => deformRoiPool({x, rois, ...interiorAttrs}));
      await expectNoLeaks(() => modulatedDeformRoiPool({x, rois, offset, mask, ...interiorAttrs}));
      await expectNoLeaks(() =>
        tf.grads((x, o, m) =>
          tf.sum(modulatedDeformRoiPool({x, rois, offset: o, mask: m, ...interiorAttrs})),
        )([x, offset, mask]),
      );
      await expectNoLeaks(() =>
        tf.grads((x: tf.Tensor) => tf.sum(deformRoiPool({x, rois, ...interiorAttrs})))([x]),
      );
    });
  },
  [DeformRoIPool, ModulatedDeformRoIPool, DeformRoIPoolBackprop],
);
