/**
 * WGSL of the RoI poolings' bin geometry: mmcv DeformRoIPool's shifted
 * sampling grid (docs/semantics.md §4.2) and DCNv1's position-sensitive bins
 * (§5.2). Both read the program inputs `rois` (`[R, 5]`) and `offset`; the
 * samplers they feed are clamped_sampler_wgsl.ts. Shapes and attributes are
 * baked in as constants.
 */
import type {PSRoIPoolInfo, RoIPoolInfo} from '../../shape/roi_pool';
import {wgslFloat} from './sampler_z_wgsl';

/**
 * The bound on an adaptive (`samplingRatio: 0`) sampling grid, per axis and
 * bin. RoIs are data, so the grid `ceil(RoI size / bins)` is computed in the
 * shader; it is clamped to this many samples so that a huge RoI cannot keep
 * the GPU busy without bound (a non-finite grid samples nothing, which is
 * what every non-finite RoI gives anyway: its samples are rejected). A bin
 * would need to be more than 256 feature-map pixels long to reach it; the
 * forward and every backward pass use the same bound.
 */
export const ADAPTIVE_GRID_CAP = 256;

/**
 * `RoiBin roiBin(r, ph, pw)`: the grid of bin `(ph, pw)` of RoI `r`, shifted
 * by its offset (grid `(0, 0)`: the bin has no samples and pools 0), and
 * `vec2<f32> roiPoint(b, iy, ix)`, the `(y, x)` of one grid point.
 */
export function roiBinWgsl(info: RoIPoolInfo): string {
  const {pooledHeight: binsH, pooledWidth: binsW, samplingRatio} = info;
  const scale = wgslFloat(info.spatialScale);
  const gamma = wgslFloat(info.gamma);
  const grid =
    samplingRatio > 0
      ? `vec2<i32>(${samplingRatio}, ${samplingRatio})`
      : `vec2<i32>(roiGridAxis(b.roiSize.x / ${binsH}.0), roiGridAxis(b.roiSize.y / ${binsW}.0))`;
  return `
    struct RoiBin {
      n : i32,
      origin : vec2<f32>,   // (y, x) of the shifted bin's top-left corner
      size : vec2<f32>,     // bin height, width
      roiSize : vec2<f32>,  // RoI height, width
      grid : vec2<i32>,     // samples per axis; none when either is 0
    };

    // Adaptive sampling: ceil(bin extent) samples, none for an empty,
    // inverted or non-finite RoI (mmcv), at most ${ADAPTIVE_GRID_CAP}.
    fn roiGridAxis(binExtent : f32) -> i32 {
      let g = ceil(binExtent);
      if (!clampedFinite(g) || !(g > 0.0)) {
        return 0;
      }
      return i32(min(g, ${ADAPTIVE_GRID_CAP}.0));
    }

    fn roiBin(r : i32, ph : i32, pw : i32) -> RoiBin {
      var b : RoiBin;
      b.n = i32(f32(rois[5 * r]));
      let start = vec2<f32>(f32(rois[5 * r + 2]), f32(rois[5 * r + 1])) * ${scale} - 0.5;
      let end = vec2<f32>(f32(rois[5 * r + 4]), f32(rois[5 * r + 3])) * ${scale} - 0.5;
      b.roiSize = end - start;
      b.size = b.roiSize / vec2<f32>(${binsH}.0, ${binsW}.0);
      b.grid = ${grid};
      let o = 2 * ((r * ${binsH} + ph) * ${binsW} + pw);
      let shift = ${gamma} * b.roiSize * vec2<f32>(f32(offset[o + 1]), f32(offset[o]));
      b.origin = start + shift + vec2<f32>(f32(ph), f32(pw)) * b.size;
      return b;
    }

    // The reference's order: ((i + 0.5) * size) / grid.
    fn roiPoint(b : RoiBin, iy : i32, ix : i32) -> vec2<f32> {
      return b.origin + (vec2<f32>(f32(iy), f32(ix)) + 0.5) * b.size / vec2<f32>(b.grid);
    }

    // The average's divisor (1 for a bin without samples, which adds nothing).
    fn roiCount(b : RoiBin) -> f32 {
      return max(f32(b.grid.x) * f32(b.grid.y), 1.0);
    }
  `;
}

/**
 * `PsRoi psRoi(r)`: image, start and size of RoI `r` (corners rounded half
 * away from zero, inclusive, minimum size 0.1); `PsBin psBin(r, ph, pw, ct)`:
 * where output channel `ct` of bin `(ph, pw)` samples, its input channel and
 * the element index of its class's Δx in `offset` (Δy follows);
 * `vec2<f32> psPoint(b, ih, iw)` the `(y, x)` of one sample;
 * `vec2<i32> partCell(ph, pw)`, the bin's cell of `offset`; and
 * `i32 psSampleCount(b)`, its accepted samples (the average's divisor; needs
 * `locateP` of clamped_sampler_wgsl.ts).
 */
export function psBinWgsl(info: PSRoIPoolInfo): string {
  const {pooledHeight: binsH, pooledWidth: binsW, groupSize: gs, samplesPerPart: samples} = info;
  const {partHeight: qh, partWidth: qw, classes} = info;
  const scale = wgslFloat(info.spatialScale);
  const transStd = wgslFloat(info.transStd);
  return `
    struct PsRoi {
      n : i32,
      start : vec2<f32>,  // (y, x)
      size : vec2<f32>,   // height, width
    };

    struct PsBin {
      n : i32,
      channel : i32,      // input channel read
      offsetIndex : i32,  // element of the class's Δx in offset
      origin : vec2<f32>, // (y, x) of the first sample
      binSize : vec2<f32>,
      roiSize : vec2<f32>,
    };

    // C's round: half away from zero.
    fn cRound(v : vec2<f32>) -> vec2<f32> {
      return sign(v) * floor(abs(v) + 0.5);
    }

    fn psRoi(r : i32) -> PsRoi {
      var roi : PsRoi;
      roi.n = i32(f32(rois[5 * r]));
      roi.start = cRound(vec2<f32>(f32(rois[5 * r + 2]), f32(rois[5 * r + 1]))) * ${scale} - 0.5;
      let end = (cRound(vec2<f32>(f32(rois[5 * r + 4]), f32(rois[5 * r + 3]))) + 1.0) * ${scale} - 0.5;
      roi.size = max(end - roi.start, vec2<f32>(0.1, 0.1));
      return roi;
    }

    fn partCell(ph : i32, pw : i32) -> vec2<i32> {
      return vec2<i32>(ph * ${qh} / ${binsH}, pw * ${qw} / ${binsW});
    }

    fn psBin(r : i32, ph : i32, pw : i32, ct : i32) -> PsBin {
      var b : PsBin;
      let roi = psRoi(r);
      b.n = roi.n;
      b.roiSize = roi.size;
      b.binSize = roi.size / vec2<f32>(${binsH}.0, ${binsW}.0);
      let gh = clamp(ph * ${gs} / ${binsH}, 0, ${gs - 1});
      let gw = clamp(pw * ${gs} / ${binsW}, 0, ${gs - 1});
      b.channel = (ct * ${gs} + gh) * ${gs} + gw;
      let cell = partCell(ph, pw);
      b.offsetIndex = ((r * ${qh} + cell.x) * ${qw} + cell.y) * ${2 * classes} +
          2 * (ct / ${info.outputDim / classes});
      let shift = vec2<f32>(f32(offset[b.offsetIndex + 1]), f32(offset[b.offsetIndex])) * ${transStd};
      b.origin = vec2<f32>(f32(ph), f32(pw)) * b.binSize + roi.start + shift * roi.size;
      return b;
    }

    // Not centred in the sub-bins (the peer's convention).
    fn psPoint(b : PsBin, ih : i32, iw : i32) -> vec2<f32> {
      return b.origin + vec2<f32>(f32(ih), f32(iw)) * b.binSize / ${samples}.0;
    }

    fn psSampleCount(b : PsBin) -> i32 {
      var count = 0;
      for (var ih = 0; ih < ${samples}; ih++) {
        for (var iw = 0; iw < ${samples}; iw++) {
          let p = psPoint(b, ih, iw);
          count += select(0, 1, locateP(b.n, p.x, p.y).inside);
        }
      }
      return count;
    }
  `;
}
