/**
 * Whole models of tfdeform.models: the forward time of one 224x224 image
 * (`model.predict`), next to the same network with plain 3x3 convolutions
 * where there is one (ResNet-50 for ResNet-50-DCNv2 and for RedNet-50), and
 * the peak memory of one forward. Weights as the builders initialise them
 * (the time does not depend on their values). wasm and webgl only: on tfjs's
 * cpu one ResNet-50 forward takes tens of seconds, and webgpu is SwiftShader.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {LayersModel} from '@tensorflow/tfjs-layers';

import {models} from '../src/index';
import {Row, timeCases} from './timing';

const PLAIN = 'plain convolutions (ResNet-50)';
const INPUT: [number, number, number, number] = [1, 224, 224, 3];

const MODELS: [workload: string, build: () => LayersModel, plainPeer: boolean][] = [
  [
    'resnet50-dcnv2',
    () => models.resNet({depth: 50, dcn: {version: 2, stages: [false, true, true, true]}}),
    true,
  ],
  ['rednet50', () => models.redNet({depth: 50}), true],
  ['internimage-t', () => models.internImage({variant: 'T'}), false],
];

/** Forward time and the note of the peak memory of one forward. */
async function timeModel(
  workload: string,
  impl: string,
  model: LayersModel,
  note: string,
): Promise<Row> {
  const x = tf.randomUniform(INPUT, 0, 1, 'float32', 1);
  const [row] = await timeCases('models', workload, [
    [impl, 'forward', () => model.predict(x) as tf.Tensor],
  ]);
  if (row.ms != null) {
    const info = await tf.profile(() => model.predict(x) as tf.Tensor);
    row.note = `${note ? `${note}, ` : ''}peak ${(info.peakBytes / 2 ** 20).toFixed(1)} MiB`;
    tf.dispose(info.result as tf.Tensor);
  } else if (note) {
    row.note = `${note}, ${row.note}`;
  }
  x.dispose();
  return row;
}

export async function benchModels(note = ''): Promise<Row[]> {
  if (!['wasm', 'webgl'].includes(tf.getBackend())) {
    return [];
  }
  const resnet50 = models.resNet({depth: 50});
  const plain = await timeModel('resnet50', PLAIN, resnet50, note);
  resnet50.dispose();
  const rows: Row[] = [];
  for (const [workload, build, plainPeer] of MODELS) {
    const model = build();
    rows.push(await timeModel(workload, 'tfjs-deform', model, note));
    model.dispose();
    if (plainPeer) {
      rows.push({...plain, workload});
    }
  }
  return rows;
}
