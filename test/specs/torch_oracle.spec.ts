/**
 * PyTorch as the oracle for values and gradients: torchvision's deform_conv2d
 * (DCNv1/v2), torchvision's roi_align per deformed bin (mmcv's DeformRoIPool,
 * offset gradients through F.grid_sample where every sample is inside the
 * image), InternImage's grid_sample formulation of DCNv3 and RedNet's unfold
 * formulation of involution, computed in float64 by
 * scripts/gen_torch_fixtures.py (see test/fixtures/torch/README.md). Each
 * case compares the forward and the gradients of `sum(y * dy)` (a random
 * `dy`, so layout errors cannot cancel) w.r.t. every differentiable input.
 */
import {
  DCNv3,
  DCNv3BackpropInput,
  dcnv3,
  DeformConv2D,
  DeformConv2DBackpropFilter,
  DeformConv2DBackpropInput,
  deformConv2d,
  DeformRoIPool,
  DeformRoIPoolBackprop,
  deformRoiPool,
  Involution,
  InvolutionBackpropInput,
  involution,
  ModulatedDeformConv2D,
  ModulatedDeformRoIPool,
  modulatedDeformConv2d,
  modulatedDeformRoiPool,
} from '../../src/index';
import dcnv3Json from '../fixtures/torch/dcnv3.json';
import deformConvJson from '../fixtures/torch/deform_conv2d.json';
import roiPoolJson from '../fixtures/torch/deform_roi_pool.json';
import involutionJson from '../fixtures/torch/involution.json';
import {describeAllBackends} from '../util/backends';
import {checkTorchCase, reportTorchErrors, TorchFixture} from '../util/torch_oracle';

// float32 against float64: ~1e-6 on cpu/wasm; webgl's float32 shaders stay well inside.
const TOL = {atol: 1e-4, rtol: 1e-4};

type Pad = [[number, number], [number, number]];
type Pair = [number, number];

interface DeformConvAttrs {
  strides: Pair;
  pad: Pad;
  dilations: Pair;
  groups: number;
  offsetGroups: number;
}
interface RoiPoolAttrs {
  outputSize: Pair;
  spatialScale: number;
  samplingRatio: number;
  gamma: number;
}
interface DCNv3FixtureAttrs {
  kernelSize: Pair;
  strides: Pair;
  pad: Pad;
  dilations: Pair;
  groups: number;
  offsetScale: number;
  removeCenter: boolean;
}
interface InvolutionAttrs {
  kernelSize: Pair;
  strides: Pair;
  pad: Pad;
  dilations: Pair;
  groups: number;
}

const deformConvCases = (deformConvJson as unknown as TorchFixture<DeformConvAttrs>).cases;
const roiPoolCases = (roiPoolJson as unknown as TorchFixture<RoiPoolAttrs>).cases;
const dcnv3Cases = (dcnv3Json as unknown as TorchFixture<DCNv3FixtureAttrs>).cases;
const involutionCases = (involutionJson as unknown as TorchFixture<InvolutionAttrs>).cases;

const sorted = (names: string[]) => [...names].sort();

describeAllBackends(
  'deformConv2d vs PyTorch (torchvision.ops.deform_conv2d)',
  () => {
    reportTorchErrors('deformConv2d');
    it('has the oracle cases (DCNv1 and DCNv2)', () => {
      expect(deformConvCases.length).toBeGreaterThanOrEqual(9);
      expect(deformConvCases.some(c => c.inputs.mask)).toBe(true);
      expect(deformConvCases.some(c => !c.inputs.mask)).toBe(true);
    });
    for (const c of deformConvCases) {
      it(c.name, async () => {
        // Every input is differentiable, and the fixture has each gradient.
        expect(sorted(Object.keys(c.expected.grads))).toEqual(sorted(Object.keys(c.inputs)));
        await checkTorchCase(
          'deformConv2d',
          c,
          ({x, filter, offset, mask, bias}) =>
            mask
              ? modulatedDeformConv2d({x, filter, offset, mask, bias, ...c.attrs})
              : deformConv2d({x, filter, offset, bias, ...c.attrs}),
          TOL,
        );
      });
    }
  },
  [DeformConv2D, ModulatedDeformConv2D, DeformConv2DBackpropInput, DeformConv2DBackpropFilter],
);

describeAllBackends(
  'deformRoiPool vs PyTorch (torchvision.ops.roi_align per deformed bin)',
  () => {
    reportTorchErrors('deformRoiPool');
    it('has the oracle cases (plain, modulated, with offset gradients)', () => {
      expect(roiPoolCases.length).toBeGreaterThanOrEqual(7);
      expect(roiPoolCases.some(c => c.inputs.mask)).toBe(true);
      expect(roiPoolCases.some(c => c.expected.grads.offset)).toBe(true);
    });
    for (const c of roiPoolCases) {
      it(c.name, async () => {
        // rois are not differentiable; offset gradients only where the fixture has them.
        const wanted = Object.keys(c.inputs).filter(
          name => name !== 'rois' && (name !== 'offset' || c.expected.grads.offset),
        );
        expect(sorted(Object.keys(c.expected.grads))).toEqual(sorted(wanted));
        await checkTorchCase(
          'deformRoiPool',
          c,
          ({x, rois, offset, mask}) =>
            mask
              ? modulatedDeformRoiPool({x, rois, offset, mask, ...c.attrs})
              : deformRoiPool({x, rois, offset, ...c.attrs}),
          TOL,
        );
      });
    }
  },
  [DeformRoIPool, ModulatedDeformRoIPool, DeformRoIPoolBackprop],
);

describeAllBackends(
  'dcnv3 vs PyTorch (InternImage dcnv3_core_pytorch, F.grid_sample)',
  () => {
    reportTorchErrors('dcnv3');
    it('has the oracle cases', () => {
      expect(dcnv3Cases.length).toBeGreaterThanOrEqual(8);
      expect(dcnv3Cases.some(c => c.attrs.removeCenter)).toBe(true);
    });
    for (const c of dcnv3Cases) {
      it(c.name, async () => {
        expect(sorted(Object.keys(c.expected.grads))).toEqual(['mask', 'offset', 'x']);
        await checkTorchCase(
          'dcnv3',
          c,
          ({x, offset, mask}) => dcnv3({x, offset, mask, ...c.attrs}),
          TOL,
        );
      });
    }
  },
  [DCNv3, DCNv3BackpropInput],
);

describeAllBackends(
  'involution vs PyTorch (RedNet, F.unfold)',
  () => {
    reportTorchErrors('involution');
    it('has the oracle cases', () => {
      expect(involutionCases.length).toBeGreaterThanOrEqual(6);
    });
    for (const c of involutionCases) {
      it(c.name, async () => {
        expect(sorted(Object.keys(c.expected.grads))).toEqual(['kernel', 'x']);
        await checkTorchCase(
          'involution',
          c,
          ({x, kernel}) => involution({x, kernel, ...c.attrs}),
          TOL,
        );
      });
    }
  },
  [Involution, InvolutionBackpropInput],
);
