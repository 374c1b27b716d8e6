/** The onnxruntime DeformConv oracle cases (generated before each run) and how to run one. */
import * as tf from '@tensorflow/tfjs-core';

import {deformConv2d, modulatedDeformConv2d} from '../../src/index';
import type {ExplicitPad} from '../../src/index';
import ort from '../fixtures/generated/deform_conv_ort.json';

interface OrtTensor {
  shape: number[];
  data: number[];
}
interface OrtCase {
  name: string;
  attrs: {
    strides: [number, number];
    pad: ExplicitPad;
    dilations: [number, number];
    groups: number;
    offsetGroups: number;
  };
  inputs: Record<string, OrtTensor>;
  expected: OrtTensor;
}

export const ortCases = (ort as unknown as {cases: OrtCase[]}).cases;

/** Runs an ORT case through our op (modulated when the case has a mask). */
export function runOrtCase(c: OrtCase): tf.Tensor {
  const t = (name: string) =>
    c.inputs[name] && tf.tensor(c.inputs[name].data, c.inputs[name].shape, 'float32');
  const args = {
    x: t('x'),
    filter: t('filter'),
    offset: t('offset'),
    bias: t('bias'),
    ...c.attrs,
  };
  return c.inputs.mask ? modulatedDeformConv2d({...args, mask: t('mask')}) : deformConv2d(args);
}
