/**
 * Where the bins of a deformable RoI pooling layer sample (DCN's deformed
 * bins): each bin's RoIAlign sub-cell centres, moved by the offset the
 * layer's branch computes for the RoI (docs/semantics.md §4.2).
 */
import {Tensor, Tensor2D, Tensor4D} from '@tensorflow/tfjs-core';

import {DeformRoIPool} from '../layers/deform_roi_pool_layer';
import {analysisError} from './unit';

export interface RoIBinLocations {
  /** Sub-cells per bin along y and x (0 for an empty, inverted or non-finite RoI). */
  gridHeight: number;
  gridWidth: number;
  /**
   * `[bins, gridHeight·gridWidth, 2]` (y, x) in feature-map pixels (centres
   * at integers); bins row-major over `[PH, PW]`, or the one bin asked for.
   */
  points: Float32Array;
  /** The same points in the RoIs' image coordinates: `(p + 0.5) / spatialScale`. */
  imagePoints: Float32Array;
  /** `[bins]`: the bin's modulation mask (1 without one). */
  weights: Float32Array;
}

/** Refuse more points than this per RoI: an adaptive grid grows with the RoI. */
const MAX_POINTS_PER_ROI = 2 ** 22;

/**
 * The sampling points of every bin (or of bin `[binRow, binCol]`) of each
 * RoI of `rois` (`[R, 5]`: batch index, x1, y1, x2, y2) over `features`
 * (`[N, H, W, C]`) in a built `DeformRoIPool` layer, offsets (and masks)
 * from its branches; zero offsets without branches. Leaves no tensors behind.
 */
export async function binLocations(
  layer: DeformRoIPool,
  features: Tensor4D,
  rois: Tensor2D,
  binIndex?: [number, number],
): Promise<RoIBinLocations[]> {
  const fn = 'binLocations';
  if (!(layer instanceof DeformRoIPool)) {
    throw analysisError(fn, 'layer', `must be a DeformRoIPool layer, got ${layer}`);
  }
  if (!layer.built) {
    throw analysisError(fn, 'layer', `'${layer.name}' is not built: apply it once first`);
  }
  if (!(features instanceof Tensor) || features.rank !== 4) {
    throw analysisError(fn, 'features', `must be [N, H, W, C], got ${features?.shape}`);
  }
  if (!(rois instanceof Tensor) || rois.rank !== 2 || rois.shape[1] !== 5) {
    throw analysisError(fn, 'rois', `must be [R, 5], got ${rois?.shape}`);
  }
  const [ph, pw] = layer.outputSize;
  if (
    binIndex != null &&
    !(
      Array.isArray(binIndex) &&
      Number.isInteger(binIndex[0]) &&
      Number.isInteger(binIndex[1]) &&
      binIndex[0] >= 0 &&
      binIndex[0] < ph &&
      binIndex[1] >= 0 &&
      binIndex[1] < pw
    )
  ) {
    throw analysisError(
      fn,
      'binIndex',
      `must be [binRow, binCol] within [${ph}, ${pw}], got ${binIndex}`,
    );
  }
  const {offset, mask} = layer.offsetsAndMask(features, rois);
  const [boxes, offsets, masks] = await Promise.all([rois.data(), offset?.data(), mask?.data()]);
  offset?.dispose();
  mask?.dispose();
  const {spatialScale: scale, samplingRatio, gamma} = layer;
  const bins: [number, number][] = [];
  for (let i = 0; i < ph; i++) {
    for (let j = 0; j < pw; j++) {
      if (binIndex == null || (binIndex[0] === i && binIndex[1] === j)) {
        bins.push([i, j]);
      }
    }
  }
  const result: RoIBinLocations[] = [];
  for (let r = 0; r < rois.shape[0]; r++) {
    const [x1, y1, x2, y2] = [1, 2, 3, 4].map(k => boxes[r * 5 + k]);
    const sx = x1 * scale - 0.5;
    const sy = y1 * scale - 0.5;
    const rw = x2 * scale - 0.5 - sx;
    const rh = y2 * scale - 0.5 - sy;
    const [bh, bw] = [rh / ph, rw / pw];
    let gh = samplingRatio > 0 ? samplingRatio : Math.ceil(rh / ph);
    let gw = samplingRatio > 0 ? samplingRatio : Math.ceil(rw / pw);
    if (!(Number.isFinite(sx + sy + rw + rh) && gh > 0 && gw > 0)) {
      [gh, gw] = [0, 0]; // pools 0: no samples
    }
    if (gh * gw * bins.length > MAX_POINTS_PER_ROI) {
      throw analysisError(
        fn,
        `rois[${r}]`,
        `asks for ${gh}x${gw} samples per bin, more than ${MAX_POINTS_PER_ROI} points in all`,
      );
    }
    const samples = gh * gw;
    const points = new Float32Array(bins.length * samples * 2);
    const weights = new Float32Array(bins.length);
    bins.forEach(([i, j], b) => {
      const at = (r * ph + i) * pw + j;
      const tx = offsets ? gamma * rw * offsets[2 * at] : 0;
      const ty = offsets ? gamma * rh * offsets[2 * at + 1] : 0;
      weights[b] = masks ? masks[at] : 1;
      for (let iy = 0; iy < gh; iy++) {
        for (let ix = 0; ix < gw; ix++) {
          const q = 2 * (b * samples + iy * gw + ix);
          points[q] = sy + ty + i * bh + ((iy + 0.5) * bh) / gh;
          points[q + 1] = sx + tx + j * bw + ((ix + 0.5) * bw) / gw;
        }
      }
    });
    const imagePoints = points.map(p => (p + 0.5) / scale);
    result.push({gridHeight: gh, gridWidth: gw, points, imagePoints, weights});
  }
  return result;
}
