/**
 * Which kernels each backend must have: the README's status table as a
 * test. Specs of an op run on every backend that has its kernels
 * (describeAllBackends), so this is where a missing kernel shows.
 */
import * as tf from '@tensorflow/tfjs-core';

import * as tfdeform from '../../src/index';
import {backendsUnderTest, isPackageKernel} from '../util/backends';

const DCN = [
  tfdeform.DeformConv2D,
  tfdeform.ModulatedDeformConv2D,
  tfdeform.DeformConv2DBackpropInput,
  tfdeform.DeformConv2DBackpropFilter,
];
const DCNV3 = [tfdeform.DCNv3, tfdeform.DCNv3BackpropInput];
const INVOLUTION = [tfdeform.Involution, tfdeform.InvolutionBackpropInput];
const ROI_POOL = [
  tfdeform.DeformRoIPool,
  tfdeform.ModulatedDeformRoIPool,
  tfdeform.DeformRoIPoolBackprop,
  tfdeform.DeformPSRoIPool,
  tfdeform.DeformPSRoIPoolBackprop,
];

const ALL = [...DCN, ...DCNV3, ...INVOLUTION, ...ROI_POOL];
/** Gaps of tfjs-backend-wasm 4.x this package fills (registered only where tfjs has none). */
const WASM_GAPS = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
];
/**
 * Which tfjs kernels are this package's on each backend: their specs
 * (conv2d_backprop_filter, depthwise_conv2d_grad) run only there, so this is
 * where a gap filled on one more or one less backend shows.
 */
const STOCK: Record<string, string[]> = {cpu: [], webgl: [], wasm: WASM_GAPS, webgpu: []};

const EXPECTED: Record<string, string[]> = {
  cpu: [...DCN, ...DCNV3, ...INVOLUTION, ...ROI_POOL],
  webgl: [...DCN, ...DCNV3, ...INVOLUTION, ...ROI_POOL],
  wasm: [...DCN, ...DCNV3, ...INVOLUTION, ...ROI_POOL],
  webgpu: [...DCN, ...DCNV3, ...INVOLUTION, ...ROI_POOL],
};

describe('kernel coverage', () => {
  for (const backend of backendsUnderTest()) {
    it(`${backend} has exactly the kernels of the status table`, () => {
      const expected = EXPECTED[backend] ?? [];
      const present = ALL.filter(kernel => tf.getKernel(kernel, backend) != null);
      expect(present.sort()).toEqual([...expected].sort());
      for (const kernel of backend in STOCK ? WASM_GAPS : []) {
        const ours = STOCK[backend].includes(kernel);
        expect(tf.getKernel(kernel, backend)).withContext(`${kernel} on ${backend}`).toBeDefined();
        expect(isPackageKernel(kernel, backend))
          .withContext(`${kernel} on ${backend} is this package's`)
          .toBe(ours);
      }
    });
  }
});
