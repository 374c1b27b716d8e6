/** Reading, converting and assigning a layer's entries (layer_entries.ts). */
import {tensor, Tensor} from '@tensorflow/tfjs-core';
import type {layers} from '@tensorflow/tfjs-layers';

import type {Entry} from './layer_entries';
import type {StateDict} from './safetensors';

/** Reads an entry, with an error naming what is missing and what is there. */
function read(layer: layers.Layer, state: StateDict, prefix: string, key: string): Tensor {
  const t = state.get(key);
  if (t == null) {
    const near = [...state.keys()].filter(k => k.startsWith(prefix)).slice(0, 8);
    throw new Error(
      `loadStateDict: ${layer.name}: no ${key} in the state dict ` +
        `(under '${prefix}': ${near.join(', ') || 'nothing'})`,
    );
  }
  return tensor(t.data, t.shape, 'float32');
}

/** The converted values of `entries`, and how their shapes differ from the layer's weights. */
export function convertEntries(
  layer: layers.Layer,
  state: StateDict,
  prefix: string,
  entries: Entry[],
): {values: Map<string, Tensor>; shapeErrors: string[]} {
  const values = new Map<string, Tensor>();
  const shapeErrors: string[] = [];
  for (const entry of entries) {
    const variable = layer.weights.find(w => w.originalName.endsWith(`/${entry.weight}`));
    if (variable == null) {
      continue;
    }
    const value = entry.convert(...entry.keys.map(key => read(layer, state, prefix, key)));
    if (value.shape.join() !== variable.shape.join()) {
      shapeErrors.push(
        `${layer.name}/${entry.weight} is [${variable.shape}], the converted state dict ` +
          `entry is [${value.shape}] (${entry.keys.join(' + ')})`,
      );
    }
    values.set(entry.weight, value);
  }
  return {values, shapeErrors};
}

/** Writes converted values to the layer's weights of those names. */
export function writeWeights(layer: layers.Layer, values: Map<string, Tensor>): void {
  for (const variable of layer.weights) {
    const name = variable.originalName.slice(variable.originalName.lastIndexOf('/') + 1);
    const value = values.get(name);
    if (value != null) {
      variable.write(value);
    }
  }
}
