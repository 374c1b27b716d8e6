/**
 * A whole PyTorch checkpoint into a model of `tfdeform.models`: every layer
 * with weights stands for the PyTorch module its name spells, so the model's
 * expected keys are its layers' entries; the checkpoint must hold exactly
 * those under the prefix (BatchNorm's `num_batches_tracked` aside, and the
 * classification head's keys when the model was built without it).
 */
import type {LayersModel} from '@tensorflow/tfjs-layers';

import {headKeysOf} from '../models/head_keys';
import {layerEntries} from './layer_entries';
import {convertEntries, writeWeights} from './convert_entries';
import type {StateDict} from './safetensors';

const SHOWN = 5;

function listed(what: string, keys: string[]): string {
  const shown = keys.slice(0, SHOWN).join(', ');
  return `${keys.length} ${what} (${shown}${keys.length > SHOWN ? ', ...' : ''})`;
}

export function loadModelState(model: LayersModel, state: StateDict, prefix: string): void {
  const plan = model.layers
    .filter(layer => layer.weights.length > 0)
    .map(layer => {
      const layerPrefix = `${prefix}${layer.name}.`;
      return {layer, layerPrefix, entries: layerEntries(layer, state, layerPrefix, true)};
    });
  const expected = new Set(plan.flatMap(p => p.entries.map(e => e.key)));
  const missing = [...expected].filter(key => !state.has(key));
  const headless = headKeysOf(model).filter(
    head => !model.layers.some(layer => `${layer.name}.`.startsWith(head)),
  );
  const unexpected = [...state.keys()].filter(
    key =>
      key.startsWith(prefix) &&
      !expected.has(key) &&
      !key.endsWith('.num_batches_tracked') &&
      !headless.some(head => key.startsWith(prefix + head)),
  );
  if (missing.length > 0 || unexpected.length > 0) {
    const problems = [
      missing.length > 0 ? listed('missing keys', missing) : '',
      unexpected.length > 0 ? listed('unexpected keys', unexpected) : '',
    ].filter(Boolean);
    const hint =
      missing.length === expected.size
        ? ` None of the model's ${expected.size} keys is there: a checkpoint of another ` +
          `model, or keys under a prefix (loadStateDict's third argument)?`
        : '';
    throw new Error(
      `loadStateDict: ${model.name}: the state dict does not match the model` +
        `${prefix ? ` under '${prefix}'` : ''}: ${problems.join('; ')}.${hint}`,
    );
  }
  // Every entry converted and checked before any is written: nothing changes on an error.
  const converted = plan.map(p => ({
    layer: p.layer,
    ...convertEntries(p.layer, state, p.layerPrefix, p.entries),
  }));
  const shapeErrors = converted.flatMap(c => c.shapeErrors);
  if (shapeErrors.length > 0) {
    throw new Error(
      `loadStateDict: ${model.name}: ${listed('entries of the wrong shape', shapeErrors)}`,
    );
  }
  converted.forEach(c => writeWeights(c.layer, c.values));
}
