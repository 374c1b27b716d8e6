/**
 * DCNv2's effective receptive field: the gradient of a unit's response w.r.t.
 * each input pixel.
 */
import {
  abs,
  divNoNan,
  grad,
  max,
  reshape,
  slice,
  sum,
  Tensor,
  Tensor2D,
  Tensor3D,
  Tensor4D,
  tidy,
} from '@tensorflow/tfjs-core';
import type {LayersModel} from '@tensorflow/tfjs-layers';

import {
  analysisError,
  checkBatchIndex,
  checkInputs,
  isBinUnit,
  resolveLayer,
  subModel,
  Unit,
  unitIndex,
  unitLayerShape,
  UnitOptions,
  unitValue,
} from './unit';

/**
 * The gradient of the unit's response w.r.t. the pixels of its input image,
 * `[H, W, C]` (the caller disposes it). `unit` is `{layer, row, col,
 * channel?}` (image `options.batchIndex`), or for a layer with output
 * `[R, PH, PW, C]` (deformable RoI pooling; `input` then is `[images, rois]`)
 * a pooled bin `{layer, roi, binRow, binCol, channel?}` (the image is the
 * RoI's). Any model: residual paths included. No other tensors are left behind.
 */
export async function effectiveReceptiveField(
  model: LayersModel,
  input: Tensor | Tensor[],
  unit: Unit,
  options: UnitOptions = {},
): Promise<Tensor3D> {
  const fn = 'effectiveReceptiveField';
  const inputs = checkInputs(fn, input);
  const layer = resolveLayer(fn, model, unit);
  let batchIndex = checkBatchIndex(fn, inputs[0], options);
  if (inputs.length !== model.inputs.length) {
    throw analysisError(
      fn,
      'input',
      `has ${inputs.length} tensors, the model takes ${model.inputs.length} inputs`,
    );
  }
  const [n, h, w, c] = inputs[0].shape;
  // One image suffices for a convolution unit of a single-input model: it sees only its own image.
  const alone = !isBinUnit(unit) && inputs.length === 1;
  const images = alone ? slice(inputs[0], [batchIndex, 0, 0, 0], [1, h, w, c]) : inputs[0];
  try {
    const shape = unitLayerShape(fn, model, layer, [images, ...inputs.slice(1)]);
    const index = unitIndex(fn, unit, shape, alone ? 0 : batchIndex);
    if (isBinUnit(unit)) {
      batchIndex = await roiImage(fn, inputs[1], unit.roi, n);
    }
    const sub = subModel(model, layer);
    const response = (x: Tensor) =>
      unitValue(sub.apply([x, ...inputs.slice(1)]) as Tensor4D, index);
    return tidy(() => {
      const gradient = grad(response)(images);
      const at = alone ? 0 : batchIndex;
      return reshape(slice(gradient, [at, 0, 0, 0], [1, h, w, c]), [h, w, c]) as Tensor3D;
    });
  } finally {
    if (alone) {
      images.dispose();
    }
  }
}

/** The image a RoI (`[R, 5]`, batch index first) belongs to. */
async function roiImage(fn: string, rois: Tensor | undefined, roi: number, images: number) {
  if (!(rois instanceof Tensor) || rois.rank !== 2 || rois.shape[1] !== 5) {
    throw analysisError(fn, 'input', 'for a RoI bin must be [images [N, H, W, C], rois [R, 5]]');
  }
  const index = tidy(() => slice(rois, [roi, 0], [1, 1]));
  const batch = Math.trunc((await index.data())[0]);
  index.dispose();
  if (!(batch >= 0 && batch < images)) {
    throw analysisError(fn, `rois[${roi}]`, `has batch index ${batch}, outside [0, ${images})`);
  }
  return batch;
}

/**
 * A receptive field `[H, W, C]` as a heatmap `[H, W]`: absolute values summed
 * over channels, divided by their maximum (all 0 when the field is 0).
 */
export function heatmap(field: Tensor3D): Tensor2D {
  if (!(field instanceof Tensor) || field.rank !== 3) {
    throw analysisError('heatmap', 'field', `must be [H, W, C], got ${field?.shape}`);
  }
  return tidy(() => {
    const magnitude = sum(abs(field), -1);
    return divNoNan(magnitude, max(magnitude)) as Tensor2D;
  });
}
