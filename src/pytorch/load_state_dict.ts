/**
 * Loads a PyTorch `state_dict` into one of our layers (the entries of one
 * module, under a prefix) or into a whole model built by `tfdeform.models`
 * (every layer's module is its name).
 */
import {layers, LayersModel} from '@tensorflow/tfjs-layers';

import {convertEntries, writeWeights} from './convert_entries';
import {layerEntries} from './layer_entries';
import {loadModelState} from './load_model_state';
import type {StateDict} from './safetensors';

/**
 * Assigns a PyTorch `state_dict` to a built layer of this package (the
 * module's keys `prefix + name`, e.g. prefix `'backbone.layer2.0.conv2.'`),
 * or to a whole model of `tfdeform.models` (keys `prefix + ` PyTorch's names
 * of the whole network; entries outside the prefix are left alone).
 * Throws, naming the keys, when entries are missing, unexpected (whole
 * models) or of the wrong shape; nothing is assigned then.
 */
export function loadStateDict(layer: layers.Layer, stateDict: StateDict, prefix = ''): void {
  if (layer instanceof LayersModel) {
    loadModelState(layer, stateDict, prefix);
    return;
  }
  if (!layer.built) {
    throw new Error(
      `loadStateDict: ${layer.name} is not built yet: apply it to an input (or build its model) first`,
    );
  }
  const entries = layerEntries(layer, stateDict, prefix);
  const {values, shapeErrors} = convertEntries(layer, stateDict, prefix, entries);
  if (shapeErrors.length > 0) {
    throw new Error(`loadStateDict: ${shapeErrors[0]}`);
  }
  writeWeights(layer, values);
}
