/**
 * Every model of every fixture (ResNet-50/101 with and without DCN, RedNet
 * 26-152, InternImage T/S/B) takes its PyTorch original's whole state dict
 * (keys and shapes from the fixture; no key missing, none unexpected, shapes
 * right) and has its parameter count; loading errors name the keys; the
 * builders reject what they cannot build. The cpu only: no kernel of the
 * backends is involved.
 */
import * as tf from '@tensorflow/tfjs-core';

import {loadStateDict, models, StateDict} from '../../src/index';
import internimageB from '../fixtures/models/internimage_b.json';
import internimageS from '../fixtures/models/internimage_s.json';
import internimageT from '../fixtures/models/internimage_t.json';
import rednet101 from '../fixtures/models/rednet101.json';
import rednet152 from '../fixtures/models/rednet152.json';
import rednet26 from '../fixtures/models/rednet26.json';
import rednet38 from '../fixtures/models/rednet38.json';
import rednet50 from '../fixtures/models/rednet50.json';
import resnet101 from '../fixtures/models/resnet101.json';
import resnet101Dcnv2 from '../fixtures/models/resnet101_dcnv2.json';
import resnet50 from '../fixtures/models/resnet50.json';
import resnet50Dcnv1 from '../fixtures/models/resnet50_dcnv1.json';
import resnet50Dcnv2 from '../fixtures/models/resnet50_dcnv2.json';
import {describeBackend} from '../util/backends';
import {buildModel, ModelFixture} from '../util/model_fixtures';

const fixture = (json: unknown) => json as ModelFixture;
const ALL = [
  resnet50,
  resnet50Dcnv2,
  resnet50Dcnv1,
  resnet101,
  resnet101Dcnv2,
  rednet26,
  rednet38,
  rednet50,
  rednet101,
  rednet152,
  internimageT,
  internimageS,
  internimageB,
].map(fixture);

/** The fixture's keys and shapes, all zeros (views of one buffer: the values do not matter here). */
function zeroState(keys: [string, number[]][], rename = (key: string) => key): StateDict {
  const sizes = keys.map(([, shape]) => shape.reduce((a, b) => a * b, 1));
  const zeros = new Float32Array(Math.max(...sizes));
  return new Map(
    keys.map(([key, shape], i) => [rename(key), {shape, data: zeros.subarray(0, sizes[i])}]),
  );
}

const SMALL = 32;
const TIMEOUT_MS = 120000;

describeBackend('cpu', 'models: whole PyTorch checkpoints', () => {
  for (const f of ALL) {
    it(
      `${f.builder}(${JSON.stringify(f.args)}): the checkpoint's keys and shapes, ${f.params} parameters`,
      () => {
        const model = buildModel(f, SMALL);
        expect(models.countParams(model)).toBe(f.params);
        const before = tf.memory().numTensors;
        loadStateDict(model, zeroState(f.keys));
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      },
      TIMEOUT_MS,
    );
  }

  it('without the head, the full checkpoint loads (its head keys are left out)', () => {
    for (const f of [resnet50, rednet26, internimageT].map(fixture)) {
      const model = models[f.builder]({
        ...f.args,
        inputShape: [SMALL, SMALL, 3],
        includeTop: false,
      } as never);
      expect(model.outputs.length).toBe(4);
      loadStateDict(model, zeroState(f.keys));
      model.dispose();
    }
  });

  it("takes a detector's backbone under a prefix, leaving the other keys alone", () => {
    const f = fixture(resnet50Dcnv2);
    const model = models.resNet({
      ...f.args,
      inputShape: [SMALL, SMALL, 3],
      includeTop: false,
    } as never);
    const state = zeroState(
      f.keys.filter(([key]) => !key.startsWith('fc.')),
      key => `backbone.${key}`,
    );
    state.set('neck.lateral_convs.0.conv.weight', {shape: [1], data: new Float32Array(1)});
    loadStateDict(model, state, 'backbone.');
    model.dispose();
  });

  it('report missing and unexpected keys (the first few and the count), assigning nothing', async () => {
    const f = fixture(resnet50);
    const model = buildModel(f, SMALL);
    const state = zeroState(f.keys);
    state.delete('layer1.0.bn1.running_var');
    state.set('layer1.0.extra.weight', {shape: [1], data: new Float32Array(1)});
    const kernel = model.getLayer('conv1').getWeights()[0];
    const before = await kernel.data();
    const tensors = tf.memory().numTensors;
    expect(() => loadStateDict(model, state)).toThrowError(
      'loadStateDict: resnet50: the state dict does not match the model: 1 missing keys ' +
        '(layer1.0.bn1.running_var); 1 unexpected keys (layer1.0.extra.weight).',
    );
    expect(tf.memory().numTensors).toBe(tensors);
    expect(await model.getLayer('conv1').getWeights()[0].data()).toEqual(before);
    model.dispose();
  });

  it('name the model and the keys for a checkpoint of another model', () => {
    const model = buildModel(fixture(resnet50), SMALL);
    expect(() => loadStateDict(model, zeroState(fixture(rednet26).keys))).toThrowError(
      /^loadStateDict: resnet50: the state dict does not match the model: 267 missing keys \(conv1\.weight, bn1\.weight, bn1\.bias, bn1\.running_mean, bn1\.running_var, \.\.\.\); \d+ unexpected keys \(backbone\.stem\.0\.conv\.weight, .*None of the model's 267 keys is there: a checkpoint of another model/,
    );
    model.dispose();
  });

  it('name the weights of the wrong shape (a DCNv1 checkpoint in a DCNv2 model)', () => {
    const f = fixture(resnet50Dcnv1);
    const dcn = {...(f.args.dcn as object), version: 2};
    const model = models.resNet({depth: 50, dcn, inputShape: [SMALL, SMALL, 3]} as never);
    expect(() => loadStateDict(model, zeroState(f.keys))).toThrowError(
      /^loadStateDict: resnet50_dcnv2: 18 entries of the wrong shape \(layer3\.0\.conv2\/offset_kernel is \[3,3,256,54\], the converted state dict entry is \[3,3,256,36\] \(layer3\.0\.conv2\.conv_offset\.weight\),/,
    );
    model.dispose();
  });

  it('reject unsupported depths, variants, DCN settings and input shapes, naming the builder and the argument', () => {
    expect(() => models.resNet({depth: 34 as never})).toThrowError(
      'resNet: depth must be one of 50, 101, got 34',
    );
    expect(() => models.redNet({depth: 18 as never})).toThrowError(
      'redNet: depth must be one of 26, 38, 50, 101, 152, got 18',
    );
    expect(() => models.internImage({variant: 'L' as never})).toThrowError(
      'internImage: variant must be one of T, S, B, got L',
    );
    expect(() =>
      models.resNet({depth: 50, dcn: {version: 3 as never, stages: [false, true, true, true]}}),
    ).toThrowError('resNet: dcn.version must be one of 1, 2, got 3');
    expect(() =>
      models.resNet({depth: 50, dcn: {version: 2, stages: [true, true] as never}}),
    ).toThrowError(/resNet: dcn.stages must be 4 booleans/);
    expect(() =>
      models.resNet({
        depth: 50,
        dcn: {version: 2, stages: [true, true, true, true], deformGroups: 3},
      }),
    ).toThrowError('resNet: dcn.deformGroups must be a positive divisor of 64, got 3');
    expect(() => models.internImage({variant: 'T', inputShape: [100, 96, 3]})).toThrowError(
      'internImage: inputShape must be [H, W, 3] with H and W positive multiples of 32 ' +
        '(the network downsamples by 32), got [100,96,3]',
    );
    expect(() => models.redNet({depth: 26, inputShape: [64, 64, 1]})).toThrowError(
      /^redNet: inputShape must be \[H, W, 3\]/,
    );
    expect(() => models.resNet({depth: 50, numClasses: 0})).toThrowError(
      'resNet: numClasses must be a positive integer, got 0',
    );
  });
});
