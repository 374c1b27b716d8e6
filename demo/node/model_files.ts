/**
 * Saving and loading a layers model as `model.json` + `weights.bin` in a
 * folder, with plain `fs`: tfjs's own `file://` handlers live in tfjs-node,
 * which this package does not use. Loading goes through `tf.io.fromMemory`.
 */
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

import * as tf from '@tensorflow/tfjs-core';

const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';

/** An IOHandler for `model.save(...)` writing into `folder`. */
export function folderSaver(folder: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      mkdirSync(folder, {recursive: true});
      const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology!,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? []}],
      };
      writeFileSync(join(folder, MODEL_FILE), JSON.stringify(modelJson));
      writeFileSync(join(folder, WEIGHTS_FILE), new Uint8Array(weights));
      return {modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts)};
    },
  };
}

/** An IOHandler for `tf.loadLayersModel(...)` reading what `folderSaver` wrote. */
export async function folderLoader(folder: string): Promise<tf.io.IOHandler> {
  const modelJson = JSON.parse(readFileSync(join(folder, MODEL_FILE), 'utf8')) as tf.io.ModelJSON;
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, async manifest => {
    const specs = manifest.flatMap(group => group.weights);
    const buffers = manifest.flatMap(group =>
      group.paths.map(path => {
        const bytes = readFileSync(join(folder, path));
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      }),
    );
    return [specs, buffers];
  });
  return tf.io.fromMemory(artifacts);
}
