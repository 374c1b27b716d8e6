/**
 * DCNv2's error-bounded saliency region: the smallest region of the image
 * that, with everything outside it replaced by a baseline, gives the unit's
 * response within a small error of the whole image's.
 */
import {abs, mean, slice, sum, Tensor, Tensor4D, tensor4d, tidy} from '@tensorflow/tfjs-core';
import type {LayersModel} from '@tensorflow/tfjs-layers';

import {effectiveReceptiveField} from './receptive_field';
import {
  analysisError,
  checkConvUnit,
  ConvUnit,
  subModel,
  unitIndex,
  unitLayerShape,
  UnitOptions,
} from './unit';

export interface SaliencyOptions extends UnitOptions {
  /** Allowed error relative to the whole image's response. Default 0.1. */
  errorBound?: number;
  /** What replaces the pixels outside the region: 0, or the image's per-channel mean. Default 'zero'. */
  baseline?: 'zero' | 'mean';
  /** Side of the square patches the region is made of (the last row / column may be smaller). Default 1. */
  granularity?: number;
  /** Masked images evaluated per forward pass. Default 32. */
  batchSize?: number;
}

export interface SaliencyRegion {
  /** `[H, W]` row-major, 1 inside the region. */
  mask: Uint8Array;
  height: number;
  width: number;
  /** Pixels inside the region. */
  area: number;
  /** Patches in the region: the first `patches` entries of `order`. */
  patches: number;
  /** Patch indices (row-major over the patch grid) by decreasing receptive-field magnitude. */
  order: Int32Array;
  /** The unit's response with only the region kept. */
  response: number;
  /** The unit's response on the whole image. */
  fullResponse: number;
}

/**
 * The error-bounded saliency region of `unit` (`{layer, row, col, channel?}`)
 * in image `options.batchIndex`. Search: the image's patches
 * (`granularity` pixels square) are ranked by the magnitude of the unit's
 * effective receptive field summed over each patch (ties by patch index);
 * every prefix of that ranking, shortest first (the empty region included),
 * is evaluated with the pixels outside it set to the baseline, and the first
 * whose response is within `errorBound · |fullResponse|` of the full
 * response is returned. Guarantee: it meets the bound, and no shorter prefix
 * of the ranking does (removing its last patch breaks it); the whole image
 * always qualifies, so the search ends. It is the smallest region among the
 * ranking's prefixes, not over all regions (that search is combinatorial).
 * Cost: up to (patches + 1) forward passes of the model, `batchSize` at a time.
 */
export async function errorBoundedSaliency(
  model: LayersModel,
  input: Tensor,
  unit: ConvUnit,
  options: SaliencyOptions = {},
): Promise<SaliencyRegion> {
  const fn = 'errorBoundedSaliency';
  const {image: images, layer, batchIndex} = checkConvUnit(fn, model, input, unit, options);
  const {errorBound = 0.1, baseline = 'zero', granularity = 1, batchSize = 32} = options;
  if (!(Number.isFinite(errorBound) && errorBound >= 0)) {
    throw analysisError(fn, 'options.errorBound', `must be finite and >= 0, got ${errorBound}`);
  }
  if (baseline !== 'zero' && baseline !== 'mean') {
    throw analysisError(fn, 'options.baseline', `must be 'zero' or 'mean', got ${baseline}`);
  }
  for (const [name, value] of [
    ['granularity', granularity],
    ['batchSize', batchSize],
  ] as const) {
    if (!(Number.isInteger(value) && value >= 1)) {
      throw analysisError(fn, `options.${name}`, `must be a positive integer, got ${value}`);
    }
  }
  const [, h, w, c] = images.shape;
  const image = slice(images, [batchIndex, 0, 0, 0], [1, h, w, c]) as Tensor4D;
  try {
    const index = unitIndex(fn, unit, unitLayerShape(fn, model, layer, [image]), 0);
    const field = await effectiveReceptiveField(model, image, unit);
    const magnitude = tidy(() => sum(abs(field), -1));
    field.dispose();
    const pixelMagnitude = (await magnitude.data()) as Float32Array;
    magnitude.dispose();

    const patchRows = Math.ceil(h / granularity);
    const patchCols = Math.ceil(w / granularity);
    const patchOf = new Int32Array(h * w);
    const patchScore = new Float64Array(patchRows * patchCols);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const patch = Math.floor(y / granularity) * patchCols + Math.floor(x / granularity);
        patchOf[y * w + x] = patch;
        patchScore[patch] += pixelMagnitude[y * w + x];
      }
    }
    const order = Int32Array.from(patchScore.keys()).sort(
      (a, b) => patchScore[b] - patchScore[a] || a - b,
    );
    const rank = new Int32Array(order.length);
    order.forEach((patch, r) => (rank[patch] = r));

    const pixels = (await image.data()) as Float32Array;
    const base = new Float32Array(pixels.length);
    if (baseline === 'mean') {
      const means = tidy(() => mean(image, [0, 1, 2]));
      const channelMeans = await means.data();
      means.dispose();
      base.forEach((_, i) => (base[i] = channelMeans[i % c]));
    }
    const sub = subModel(model, layer);
    const responses = async (prefixes: number[]): Promise<Float32Array> => {
      const batch = new Float32Array(prefixes.length * pixels.length);
      prefixes.forEach((k, b) => {
        for (let p = 0; p < h * w; p++) {
          const keep = rank[patchOf[p]] < k;
          for (let ch = 0; ch < c; ch++) {
            const i = p * c + ch;
            batch[b * pixels.length + i] = keep ? pixels[i] : base[i];
          }
        }
      });
      const values = tidy(() => {
        const out = sub.apply(tensor4d(batch, [prefixes.length, h, w, c])) as Tensor4D;
        const [, , , channels] = out.shape;
        const [, row, col] = index.at;
        const picked = slice(
          out,
          [0, row, col, index.channel ?? 0],
          [prefixes.length, 1, 1, index.channel == null ? channels : 1],
        );
        return sum(picked, [1, 2, 3]);
      });
      const data = (await values.data()) as Float32Array;
      values.dispose();
      return data;
    };

    const patches = order.length;
    const [fullResponse] = await responses([patches]);
    const tolerance = errorBound * Math.abs(fullResponse);
    for (let first = 0; first <= patches; first += batchSize) {
      const prefixes: number[] = [];
      for (let k = first; k <= Math.min(patches, first + batchSize - 1); k++) {
        prefixes.push(k);
      }
      const values = await responses(prefixes);
      // The whole image is the full response by definition (a batch may round it differently).
      const hit = values.findIndex(
        (r, i) => prefixes[i] === patches || Math.abs(r - fullResponse) <= tolerance,
      );
      if (hit >= 0) {
        const k = prefixes[hit];
        const mask = new Uint8Array(h * w);
        patchOf.forEach((patch, p) => (mask[p] = rank[patch] < k ? 1 : 0));
        const area = mask.reduce((s, v) => s + v, 0);
        return {
          mask,
          height: h,
          width: w,
          area,
          patches: k,
          order,
          response: values[hit],
          fullResponse,
        };
      }
    }
    throw new Error(`${fn}: unreachable: the whole image is always a region`);
  } finally {
    image.dispose();
  }
}
