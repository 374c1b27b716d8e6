/**
 * What a model looks at for one unit of its top convolution, in the four ways
 * of the DCN and DCNv2 papers, computed by `tfdeform.analysis` on one digit:
 * the sampling points (area: the product of the masks), the effective
 * sampling locations (area: the gradient of the unit w.r.t. each location),
 * the effective receptive field (a heatmap of the gradient w.r.t. the pixels)
 * and the error-bounded saliency region. The page and the trainer draw the
 * same marks (look_marks.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import {analysis} from '../../src/index';
import {IMAGE_SIZE} from './augment';

export type LookMode = 'sampling' | 'effective' | 'receptive' | 'saliency';
export const LOOK_MODES: readonly LookMode[] = ['sampling', 'effective', 'receptive', 'saliency'];
export const LOOK_TITLES: Record<LookMode, string> = {
  sampling: 'sampling points',
  effective: 'effective sampling locations',
  receptive: 'effective receptive field',
  saliency: 'error-bounded saliency region',
};

/** Saliency: patches of 2x2 pixels, within 10 % of the whole digit's response. */
const SALIENCY = {errorBound: 0.1, granularity: 2, batchSize: 64} as const;

export interface Unit {
  layer: string;
  row: number;
  col: number;
}

export interface Look {
  mode: LookMode;
  unit: Unit;
  /** The unit's centre in image pixels. */
  centre: [number, number];
  /** Sampling modes: `[P, 2]` (y, x) in image pixels, and each point's size in [0, 1]. */
  points?: Float32Array;
  sizes?: Float32Array;
  /** Receptive field: `[H·W]` in [0, 1]. */
  heat?: Float32Array;
  /** Saliency: `[H·W]` 0 | 1. */
  mask?: Uint8Array;
  caption: string;
}

/** The model's top convolution: the last layer before the global pooling. */
function topLayer(model: tfl.LayersModel): string {
  const convolutions = model.layers.filter(l => (l.outputShape as number[]).length === 4);
  return convolutions[convolutions.length - 1].name;
}

/** Where the top convolution's units sit in the image: `centre = origin + unit · step` (per axis). */
interface UnitGrid {
  layer: string;
  size: [number, number];
  origin: [number, number];
  step: [number, number];
}

/** Per model: geometry does not change as it trains, so it is traced once. */
const unitGrids = new WeakMap<tfl.LayersModel, UnitGrid>();

async function unitGrid(model: tfl.LayersModel, x: tf.Tensor4D): Promise<UnitGrid> {
  let grid = unitGrids.get(model);
  if (grid == null) {
    const layer = topLayer(model);
    const [, rows, cols] = model.getLayer(layer).outputShape as number[];
    // Centres are affine in the unit's position: find that map from two units.
    const [first, next] = await Promise.all(
      [0, 1].map(v => analysis.samplingLocations(model, x, {layer, row: v, col: v})),
    );
    grid = {
      layer,
      size: [rows, cols],
      origin: first.centre,
      step: [next.centre[0] - first.centre[0], next.centre[1] - first.centre[1]],
    };
    unitGrids.set(model, grid);
  }
  return grid;
}

/** The unit of the top convolution whose centre is nearest to an image position. */
async function unitNearest(
  model: tfl.LayersModel,
  x: tf.Tensor4D,
  at: {y: number; x: number},
): Promise<Unit> {
  const {layer, size, origin, step} = await unitGrid(model, x);
  const nearest = (v: number, a: 0 | 1) =>
    Math.min(size[a] - 1, Math.max(0, Math.round((v - origin[a]) / step[a])));
  return {layer, row: nearest(at.y, 0), col: nearest(at.x, 1)};
}

const normalised = (values: Float32Array) => {
  const top = values.reduce((m, v) => Math.max(m, v), 0);
  return values.map(v => (top > 0 ? v / top : 0));
};

/** `mode` for the unit nearest to `at` (image pixels; null: the digit's ink centre). */
export async function look(
  model: tfl.LayersModel,
  image: Float32Array,
  at: {y: number; x: number} | null,
  mode: LookMode,
): Promise<Look> {
  const x = tf.tensor4d(image, [1, IMAGE_SIZE, IMAGE_SIZE, 1]);
  try {
    const unit = await unitNearest(model, x, at ?? inkCentre(image));
    const {centre, points, weights} = await analysis.samplingLocations(model, x, unit);
    const count = weights.length;
    const where = `unit (${unit.row}, ${unit.col}) of ${unit.layer}`;
    if (mode === 'sampling') {
      return {
        mode,
        unit,
        centre,
        points,
        sizes: weights,
        caption: `${where}: ${count} sampling points`,
      };
    }
    if (mode === 'effective') {
      const {importance} = await analysis.effectiveSamplingLocations(model, x, unit);
      return {
        mode,
        unit,
        centre,
        points,
        sizes: normalised(importance),
        caption: `${where}: ${count} sampling points sized by the gradient w.r.t. their location`,
      };
    }
    if (mode === 'receptive') {
      const field = await analysis.effectiveReceptiveField(model, x, unit);
      const map = analysis.heatmap(field);
      const heat = (await map.data()) as Float32Array;
      tf.dispose([field, map]);
      return {mode, unit, centre, heat, caption: `${where}: gradient w.r.t. the pixels`};
    }
    const region = await analysis.errorBoundedSaliency(model, x, unit, SALIENCY);
    return {
      mode,
      unit,
      centre,
      mask: region.mask,
      caption:
        `${where}: ${region.area} of ${IMAGE_SIZE * IMAGE_SIZE} pixels give the response ` +
        `within ${100 * SALIENCY.errorBound} %`,
    };
  } finally {
    x.dispose();
  }
}

/** The input position of the image's ink centre, a natural first unit to show. */
export function inkCentre(image: Float32Array): {y: number; x: number} {
  let total = 0;
  let sy = 0;
  let sx = 0;
  image.forEach((v, i) => {
    total += v;
    sy += v * Math.floor(i / IMAGE_SIZE);
    sx += v * (i % IMAGE_SIZE);
  });
  const middle = (IMAGE_SIZE - 1) / 2;
  return total > 0 ? {y: sy / total, x: sx / total} : {y: middle, x: middle};
}
