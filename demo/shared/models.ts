/**
 * The two networks the demo compares, identical except that the DCN's two
 * deeper convolutions are modulated deformable ones (DCNv2). The paper
 * deforms the deeper layers: their units see enough of the object to know
 * where their taps should go.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import {layers as deformLayers} from '../../src/index';
import {IMAGE_SIZE} from './augment';
import {CLASSES} from './digits';

export type ModelKind = 'cnn' | 'dcn';
export const MODEL_KINDS: readonly ModelKind[] = ['cnn', 'dcn'];
export const MODEL_TITLES: Record<ModelKind, string> = {
  cnn: 'plain CNN',
  dcn: 'deformable CNN (DCNv2)',
};

/**
 * 40x40 → 20x20 → 10x10 → 10x10, 3x3 kernels, then a global max and a linear
 * classifier: the max makes each feature "present anywhere", which learns far
 * faster than an average on digits placed anywhere on the canvas.
 */
const CONVOLUTIONS = [
  {filters: 16, strides: 2, deformable: false},
  {filters: 32, strides: 2, deformable: true},
  {filters: 32, strides: 1, deformable: true},
];

const LEARNING_RATE = 0.003;

export function createModel(kind: ModelKind): tfl.Sequential {
  const model = tfl.sequential({name: kind});
  CONVOLUTIONS.forEach(({filters, strides, deformable}, i) => {
    const args = {
      name: `${kind}_conv${i + 1}`,
      filters,
      kernelSize: 3,
      strides,
      padding: 'same' as const,
      activation: 'relu' as const,
      ...(i === 0 ? {inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1]} : {}),
    };
    model.add(
      kind === 'dcn' && deformable
        ? deformLayers.modulatedDeformConv2d(args)
        : tfl.layers.conv2d(args),
    );
  });
  model.add(tfl.layers.globalMaxPooling2d({name: `${kind}_max`}));
  model.add(tfl.layers.dense({name: `${kind}_classes`, units: CLASSES, activation: 'softmax'}));
  model.compile({
    optimizer: tf.train.adam(LEARNING_RATE),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}
