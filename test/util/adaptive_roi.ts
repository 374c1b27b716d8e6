/**
 * Inputs for deformRoiPool / modulatedDeformRoiPool with adaptive sampling
 * whose samples stay away from every seam, for finite differences and for
 * comparisons between backends at different precisions.
 */
import {rng, uniform} from './random';

/**
 * Adaptive sampling (samplingRatio 0) on features [2, 10, 13, 2] at scale
 * 0.5: four RoIs whose bins' grids differ, (rows, columns) per bin 1x1, 2x4,
 * 4x2 and 3x3, so the grid bound of a scatter (webgl's gridBound: 5x5, set
 * by the second RoI's width and the third's height) exceeds most bins' own
 * grids. Along each axis a RoI starts at `a + 0.62` feature pixels and its
 * bins are `k - 0.06` long for a grid of k: every sample sits `0.62 - 0.06 *
 * (bin + (i + 0.5) / k)` past an integer, in [0.44, 0.61], moved at most
 * 0.12 by offsets in ±0.1 (gamma 0.1), and inside the image away from the
 * clamped border rows: far from the sampler's seams, and from the `ceil` of
 * the grid size. `seamDistance` checks that.
 */
export const ADAPTIVE = {
  outputSize: [2, 3] as [number, number],
  spatialScale: 0.5,
  samplingRatio: 0,
  gamma: 0.1,
};
const ADAPTIVE_GRIDS: Array<[number, number, number, number, number]> = [
  // batch, rows k, columns k, first row a, first column a
  [1, 1, 1, 1, 2],
  [0, 2, 4, 0, 0],
  [1, 4, 2, 1, 3],
  [0, 3, 3, 2, 1],
];

export function adaptiveInputs(seed: number) {
  const random = rng(seed);
  const [ph, pw] = ADAPTIVE.outputSize;
  const scale = ADAPTIVE.spatialScale;
  const rois = ADAPTIVE_GRIDS.map(([b, kh, kw, ay, ax]) => {
    const [y1, x1] = [(ay + 0.62) / scale, (ax + 0.62) / scale];
    return [b, x1, y1, x1 + (pw * (kw - 0.06)) / scale, y1 + (ph * (kh - 0.06)) / scale];
  });
  const r = rois.length;
  return {
    x: uniform(random, [2, 10, 13, 2]),
    rois,
    offset: uniform(random, [r, ph, pw, 2], -0.1, 0.1),
    mask: uniform(random, [r, ph, pw, 1], 0.2, 1),
    weights: uniform(random, [r, ph, pw, 2]),
  };
}

/**
 * The least distance of any sample of deformRoiPool (docs/semantics.md §4,
 * written out independently) from an integer coordinate, from the clamped
 * border zones, and of a grid's size from an integer, for the offsets moved
 * by up to `step` in each direction; also the grids, per RoI.
 */
export function seamDistance(
  rois: number[][],
  offset: Float32Array,
  [height, width]: [number, number],
  step: number,
): {samples: number; gridSizes: number; grids: Array<[number, number]>} {
  const [ph, pw] = ADAPTIVE.outputSize;
  const {spatialScale: scale, gamma} = ADAPTIVE;
  const frac = (v: number) => Math.abs(v - Math.round(v));
  let samples = Infinity;
  let gridSizes = Infinity;
  const grids = rois.map(([, x1, y1, x2, y2], r): [number, number] => {
    const axes = [
      {start: y1 * scale - 0.5, size: (y2 - y1) * scale, bins: ph, extent: height, o: 1},
      {start: x1 * scale - 0.5, size: (x2 - x1) * scale, bins: pw, extent: width, o: 0},
    ];
    const grid = axes.map(a => Math.ceil(a.size / a.bins)) as [number, number];
    axes.forEach((a, axis) => {
      gridSizes = Math.min(gridSizes, frac(a.size / a.bins));
      for (let bh = 0; bh < ph; bh++) {
        for (let bw = 0; bw < pw; bw++) {
          const bin = [bh, bw][axis];
          const shift = gamma * a.size * offset[2 * ((r * ph + bh) * pw + bw) + a.o];
          for (const moved of [shift - gamma * a.size * step, shift + gamma * a.size * step]) {
            for (let i = 0; i < grid[axis]; i++) {
              const p = a.start + moved + (bin + (i + 0.5) / grid[axis]) * (a.size / a.bins);
              samples = Math.min(samples, frac(p), p, a.extent - 1 - p);
            }
          }
        }
      }
    });
    return grid;
  });
  return {samples, gridSizes, grids};
}
