/** Reading, converting and assigning a layer's entries (layer_entries.ts). */
import {tensor, tidy} from '@tensorflow/tfjs-core';
import type {layers} from '@tensorflow/tfjs-layers';

import type {Entry} from './layer_entries';
import type {StateDict, StateTensor} from './safetensors';

/** Reads an entry, with an error naming what is missing and what is there. */
function read(layer: layers.Layer, state: StateDict, prefix: string, key: string): StateTensor {
  const t = state.get(key);
  if (t == null) {
    const near = [...state.keys()].filter(k => k.startsWith(prefix)).slice(0, 8);
    throw new Error(
      `loadStateDict: ${layer.name}: no ${key} in the state dict ` +
        `(under '${prefix}': ${near.join(', ') || 'nothing'})`,
    );
  }
  if (t.data.length !== t.shape.reduce((a, b) => a * b, 1)) {
    throw new Error(`loadStateDict: ${key} has ${t.data.length} values for shape [${t.shape}]`);
  }
  return t;
}

/** The converted values of `entries` (host arrays), and how their shapes differ from the layer's weights. */
export function convertEntries(
  layer: layers.Layer,
  state: StateDict,
  prefix: string,
  entries: Entry[],
): {values: Map<string, StateTensor>; shapeErrors: string[]} {
  const values = new Map<string, StateTensor>();
  const shapeErrors: string[] = [];
  for (const entry of entries) {
    const variable = layer.weights.find(w => w.originalName.endsWith(`/${entry.weight}`));
    if (variable == null) {
      continue;
    }
    const t = read(layer, state, prefix, entry.key);
    const value = convertOrNull(entry, t);
    if (value == null || value.shape.join() !== variable.shape.join()) {
      shapeErrors.push(
        `${layer.name}/${entry.weight} is [${variable.shape}], the converted state dict ` +
          `entry is [${value?.shape ?? t.shape}] (${entry.key})`,
      );
      continue;
    }
    values.set(entry.weight, value);
  }
  return {values, shapeErrors};
}

/** The conversion, or null when the entry's shape does not allow it (a shape error too). */
function convertOrNull(entry: Entry, t: StateTensor): StateTensor | null {
  try {
    return entry.convert(t);
  } catch {
    return null;
  }
}

/** Writes converted values to the layer's weights of those names. */
export function writeWeights(layer: layers.Layer, values: Map<string, StateTensor>): void {
  tidy(() => {
    for (const variable of layer.weights) {
      const name = variable.originalName.slice(variable.originalName.lastIndexOf('/') + 1);
      const value = values.get(name);
      if (value != null) {
        variable.write(tensor(value.data, value.shape, 'float32'));
      }
    }
  });
}
