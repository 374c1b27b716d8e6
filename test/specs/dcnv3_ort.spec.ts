/**
 * InternImage's DCNv3 reference rebuilt as an ONNX graph (pad, reference
 * points and dilation grid as the PyTorch code builds them, GridSample with
 * align_corners=0 and zero padding, mask, sum over points) and run by
 * onnxruntime-node on seeded random configurations; regenerated before every
 * run by test/oracle/dcnv3_ort.ts.
 */
import * as tf from '@tensorflow/tfjs-core';

import {dcnv3, DCNv3} from '../../src/index';
import type {ExplicitPad} from '../../src/index';
import ort from '../fixtures/generated/dcnv3_ort.json';
import {describeAllBackends} from '../util/backends';
import {expectClose} from '../util/expect';

interface OrtTensor {
  shape: number[];
  data: number[];
}
interface DCNv3Case {
  name: string;
  attrs: {
    kernelSize: [number, number];
    strides: [number, number];
    pad: ExplicitPad;
    dilations: [number, number];
    groups: number;
    offsetScale: number;
  };
  inputs: {x: OrtTensor; offset: OrtTensor; mask: OrtTensor};
  expected: OrtTensor;
}

const cases = (ort as unknown as {cases: DCNv3Case[]}).cases;
const tensor = (t: OrtTensor) => tf.tensor(t.data, t.shape, 'float32');

describeAllBackends(
  'dcnv3 vs onnxruntime (GridSample graph of the PyTorch reference)',
  () => {
    it('has enough oracle cases', () => {
      expect(cases.length).toBeGreaterThanOrEqual(15);
    });
    for (const c of cases) {
      it(c.name, async () => {
        const [y, expected] = tf.tidy(() => [
          dcnv3({
            x: tensor(c.inputs.x),
            offset: tensor(c.inputs.offset),
            mask: tensor(c.inputs.mask),
            ...c.attrs,
          }),
          tensor(c.expected),
        ]);
        // ORT's GridSample rounds to ~1e-6 even on whole pixels.
        await expectClose(y, expected, {atol: 2e-5, rtol: 1e-4}, c.name);
        tf.dispose([y, expected]);
      });
    }
  },
  [DCNv3],
);
