/**
 * What every analysis function shares: the unit (one output element, or the
 * sum over its channels, of a layer of the model), its checks, and the unit's
 * response as a differentiable function of the model's input.
 */
import {slice, sum, Tensor, Tensor4D} from '@tensorflow/tfjs-core';
import {layers, LayersModel, model as functionalModel} from '@tensorflow/tfjs-layers';

type Layer = layers.Layer;

/** A unit of a layer whose output is `[N, Ho, Wo, Ch]`: `channel` omitted = the sum over channels. */
export interface ConvUnit {
  layer: string | Layer;
  row: number;
  col: number;
  channel?: number;
}

/** A pooled bin of a layer whose output is `[R, PH, PW, C]` (deformable RoI pooling). */
export interface BinUnit {
  layer: string | Layer;
  roi: number;
  binRow: number;
  binCol: number;
  channel?: number;
}

export type Unit = ConvUnit | BinUnit;

export interface UnitOptions {
  /** The image of the batch to analyse. Default 0. */
  batchIndex?: number;
}

export function isBinUnit(unit: Unit): unit is BinUnit {
  return 'roi' in unit;
}

export function analysisError(fn: string, argument: string, problem: string): Error {
  return new Error(`${fn}: ${argument} ${problem}`);
}

/** The model's layer named or given by `unit.layer`. */
export function resolveLayer(fn: string, model: LayersModel, unit: Unit): Layer {
  if (unit == null || typeof unit !== 'object') {
    throw analysisError(fn, 'unit', `must be {layer, row, col, channel?}, got ${unit}`);
  }
  const wanted = unit.layer;
  const layer = model.layers.find(l =>
    typeof wanted === 'string' ? l.name === wanted : l === wanted,
  );
  if (layer == null) {
    const name = typeof wanted === 'string' ? `'${wanted}'` : `'${(wanted as Layer)?.name}'`;
    throw analysisError(
      fn,
      'unit.layer',
      `${name} is not a layer of model '${model.name}' (its layers: ${model.layers
        .slice(0, 8)
        .map(l => l.name)
        .join(', ')}${model.layers.length > 8 ? ', ...' : ''})`,
    );
  }
  return layer;
}

/** The model's inputs as a list, the first a 4D image batch. */
export function checkInputs(fn: string, input: Tensor | Tensor[]): Tensor[] {
  const inputs = Array.isArray(input) ? input : [input];
  const image = inputs[0];
  if (!(image instanceof Tensor) || image.rank !== 4) {
    throw analysisError(
      fn,
      'input',
      `must be an image batch [N, H, W, C] (or a list starting with one), got ${
        image instanceof Tensor ? `shape [${image.shape}]` : typeof image
      }`,
    );
  }
  return inputs;
}

export function checkBatchIndex(fn: string, image: Tensor, options: UnitOptions = {}): number {
  const batchIndex = options.batchIndex ?? 0;
  if (!(Number.isInteger(batchIndex) && batchIndex >= 0 && batchIndex < image.shape[0])) {
    throw analysisError(
      fn,
      'options.batchIndex',
      `must be an integer in [0, ${image.shape[0]}), got ${batchIndex}`,
    );
  }
  return batchIndex;
}

/**
 * The checks of the functions that analyse a convolution unit of a
 * single-input model: the input, the unit's layer and the image index.
 */
export function checkConvUnit(
  fn: string,
  model: LayersModel,
  input: Tensor | Tensor[],
  unit: Unit,
  options: UnitOptions,
): {image: Tensor; layer: Layer; batchIndex: number} {
  const inputs = checkInputs(fn, input);
  if (inputs.length !== 1 || model.inputs.length !== 1) {
    throw analysisError(
      fn,
      'model',
      `must have a single (image) input, got ${model.inputs.length}`,
    );
  }
  const layer = resolveLayer(fn, model, unit);
  if (isBinUnit(unit)) {
    throw analysisError(fn, 'unit', 'must be {layer, row, col, channel?}, not a RoI bin');
  }
  return {image: inputs[0], layer, batchIndex: checkBatchIndex(fn, inputs[0], options)};
}

/** The output shape of `layer` for these inputs, checked to be 4D. */
export function unitLayerShape(fn: string, model: LayersModel, layer: Layer, inputs: Tensor[]) {
  const shape = subModel(model, layer).computeOutputShape(
    inputs.length === 1 ? inputs[0].shape : inputs.map(t => t.shape),
  ) as number[];
  if (shape.length !== 4) {
    throw analysisError(
      fn,
      'unit.layer',
      `'${layer.name}' has output shape [${shape}]; a unit needs a 4D output`,
    );
  }
  return shape;
}

/** The index `[b, row, col]` of the unit in the layer's output, checked against its shape. */
export function unitIndex(
  fn: string,
  unit: Unit,
  shape: number[],
  batchIndex: number,
): {at: [number, number, number]; channel?: number} {
  const [first, rows, cols, channels] = shape;
  const check = (name: string, value: unknown, size: number) => {
    if (!(Number.isInteger(value) && (value as number) >= 0 && (value as number) < size)) {
      throw analysisError(
        fn,
        `unit.${name}`,
        `must be an integer in [0, ${size}) (output [${shape}]), got ${value}`,
      );
    }
  };
  let at: [number, number, number];
  if (isBinUnit(unit)) {
    check('roi', unit.roi, first);
    check('binRow', unit.binRow, rows);
    check('binCol', unit.binCol, cols);
    at = [unit.roi, unit.binRow, unit.binCol];
  } else {
    check('row', unit.row, rows);
    check('col', unit.col, cols);
    at = [batchIndex, unit.row, unit.col];
  }
  if (unit.channel != null) {
    check('channel', unit.channel, channels);
  }
  return {at, channel: unit.channel};
}

const subModels = new WeakMap<LayersModel, Map<Layer, LayersModel>>();

/** The model cut at `layer`'s output (shares the layers and weights; cached per model). */
export function subModel(model: LayersModel, layer: Layer): LayersModel {
  let cut = subModels.get(model);
  if (cut == null) {
    cut = new Map();
    subModels.set(model, cut);
  }
  let sub = cut.get(layer);
  if (sub == null) {
    sub = functionalModel({inputs: model.inputs, outputs: layer.output});
    cut.set(layer, sub);
  }
  return sub;
}

/** The unit's value in a layer output `[N|R, Ho, Wo, Ch]`, a scalar. */
export function unitValue(
  output: Tensor4D,
  {at, channel}: {at: [number, number, number]; channel?: number},
): Tensor {
  const channels = output.shape[3];
  return sum(slice(output, [...at, channel ?? 0], [1, 1, 1, channel == null ? channels : 1]));
}
