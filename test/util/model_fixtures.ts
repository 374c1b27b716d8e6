/**
 * The model fixtures of scripts/gen_model_fixtures.py (test/fixtures/models/)
 * and what the specs do with them: build the tfjs model, fill it from the
 * formula through loadStateDict, read the stages and logits.
 */
import * as tf from '@tensorflow/tfjs-core';
import {LayersModel, model as functionalModel, SymbolicTensor} from '@tensorflow/tfjs-layers';

import {loadStateDict, models} from '../../src/index';
import {formulaInput, formulaState} from './formula_weights';

export interface ModelFixture {
  builder: 'resNet' | 'redNet' | 'internImage';
  args: Record<string, unknown>;
  params: number;
  keys: [string, number[]][];
  inputShape?: number[];
  stages?: {shape: number[]; mean: number; meanAbs: number}[];
  logits?: {shape: number[]; data: number[]};
}

/** The fixture's model, for inputs of `[size, size, 3]` (default 224). */
export function buildModel(fixture: ModelFixture, size?: number): LayersModel {
  const args = {...fixture.args, ...(size ? {inputShape: [size, size, 3]} : {})};
  return (models[fixture.builder] as (a: typeof args) => LayersModel)(args);
}

/**
 * The outputs of the four stages: the last layer of each (a residual ReLU; a
 * level's norm, or its last residual sum when post-norm).
 */
function stageOutputs(model: LayersModel): SymbolicTensor[] {
  const last = new Map<number, string>();
  for (const layer of model.layers) {
    const m = /layer(\d)\.\d+\.relu3$|^levels\.(\d)\.(?:norm\.0|blocks\.\d+\.add2)$/.exec(
      layer.name,
    );
    if (m) {
      last.set(Number(m[1] ?? m[2]), layer.name); // layers are in topological order
    }
  }
  return [...last.keys()]
    .sort()
    .map(stage => model.getLayer(last.get(stage)!).output as SymbolicTensor);
}

export interface ForwardResult {
  /** `{mean, meanAbs}` of each stage's output. */
  stages: {mean: number; meanAbs: number}[];
  logits: Float32Array;
}

/** Fills the model from the formula and runs the fixture's input; no tensor is left behind. */
export async function formulaForward(
  model: LayersModel,
  fixture: ModelFixture,
): Promise<ForwardResult> {
  const before = tf.memory().numTensors;
  loadStateDict(model, formulaState(fixture.keys));
  expect(tf.memory().numTensors).withContext('tensors after loadStateDict').toBe(before);
  const probe = functionalModel({
    inputs: model.inputs,
    outputs: [...stageOutputs(model), ...model.outputs],
  });
  const x = formulaInput(fixture.inputShape!);
  const outputs = probe.predict(x) as tf.Tensor[];
  const sums = tf.tidy(() =>
    tf.stack(outputs.slice(0, -1).flatMap(t => [tf.mean(t), tf.mean(tf.abs(t))])),
  );
  const [values, logits] = await Promise.all([sums.data(), outputs[outputs.length - 1].data()]);
  tf.dispose([x, sums, ...outputs]);
  expect(tf.memory().numTensors).withContext('tensors after predict').toBe(before);
  const stages = [];
  for (let i = 0; i < values.length; i += 2) {
    stages.push({mean: values[i], meanAbs: values[i + 1]});
  }
  return {stages, logits: logits as Float32Array};
}

/** `max |a - e| / max |e|`. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let error = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    error = Math.max(error, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return error / scale;
}
