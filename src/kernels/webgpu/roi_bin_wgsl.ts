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
 * `RoiBin roiBin(r, ph, pw)`: the grid of bin `(ph, pw)` of RoI `r`, shifted
 * by its offset (grid `(0, 0)`: the bin has no samples and pools 0), and
 * `vec2<f32> roiPoint(b, iy, ix)`, the `(y, x)` of one grid point.
 */
export function roiBinWgsl(info: RoIPoolInfo): string {
  const {pooledHeight: binsH, pooledWidth: binsW, samplingRatio, height, width} = info;
  const scale = wgslFloat(info.spatialScale);
  const gamma = wgslFloat(info.gamma);
  const grid =
    samplingRatio > 0
      ? `vec2<f32>(${samplingRatio}.0, ${samplingRatio}.0)`
      : `ceil(b.roiSize / vec2<f32>(${binsH}.0, ${binsW}.0))`;
  return `
    struct RoiBin {
      n : i32,
      origin : vec2<f32>,   // (y, x) of the shifted bin's top-left corner
      size : vec2<f32>,     // bin height, width
      roiSize : vec2<f32>,  // RoI height, width
      grid : vec2<f32>,     // samples per axis; none when either is not > 0
      first : vec2<f32>,    // per axis, the first grid point that can be inside the map
      span : vec2<i32>,     // and how many from there can (docs/semantics.md §4.2)
    };

    // (first, count) of one axis's grid points that can fall inside the
    // window [-1, size], widened by one each side and capped at what the
    // window holds: the work is bounded by the map, not by the RoI.
    fn windowedSamples(origin : f32, extent : f32, grid : f32, size : f32) -> vec2<f32> {
      if (!(grid > 0.0) || !clampedFinite(origin) || !clampedFinite(extent) || !clampedFinite(grid)) {
        return vec2<f32>(0.0, 0.0);
      }
      let step = extent / grid;
      if (step == 0.0) {
        return vec2<f32>(0.0, select(0.0, grid, origin >= -1.0 && origin <= size));
      }
      let a = (-1.0 - origin) / step - 0.5;
      let b = (size - origin) / step - 0.5;
      let first = max(0.0, ceil(min(a, b)) - 1.0);
      let last = min(grid - 1.0, floor(max(a, b)) + 1.0);
      let most = ceil((size + 1.0) / abs(step)) + 3.0;
      return vec2<f32>(first, clamp(last - first + 1.0, 0.0, most));
    }

    fn roiBin(r : i32, ph : i32, pw : i32) -> RoiBin {
      var b : RoiBin;
      b.n = i32(f32(rois[5 * r]));
      let start = vec2<f32>(f32(rois[5 * r + 2]), f32(rois[5 * r + 1])) * ${scale} - 0.5;
      let end = vec2<f32>(f32(rois[5 * r + 4]), f32(rois[5 * r + 3])) * ${scale} - 0.5;
      b.roiSize = end - start;
      b.size = b.roiSize / vec2<f32>(${binsH}.0, ${binsW}.0);
      // Adaptive sampling of an empty or inverted RoI gives no samples (mmcv).
      b.grid = ${grid};
      let o = 2 * ((r * ${binsH} + ph) * ${binsW} + pw);
      let shift = ${gamma} * b.roiSize * vec2<f32>(f32(offset[o + 1]), f32(offset[o]));
      b.origin = start + shift + vec2<f32>(f32(ph), f32(pw)) * b.size;
      let alongY = windowedSamples(b.origin.x, b.size.x, b.grid.x, ${height}.0);
      let alongX = windowedSamples(b.origin.y, b.size.y, b.grid.y, ${width}.0);
      b.first = vec2<f32>(alongY.x, alongX.x);
      b.span = vec2<i32>(i32(alongY.y), i32(alongX.y));
      return b;
    }

    // Grid point first + (ky, kx), in the reference's order: ((i + 0.5) * size) / grid.
    fn roiPoint(b : RoiBin, ky : i32, kx : i32) -> vec2<f32> {
      return b.origin + (b.first + vec2<f32>(f32(ky), f32(kx)) + 0.5) * b.size / b.grid;
    }

    // The average's divisor, the whole grid (1 for a bin without samples, which adds nothing).
    fn roiCount(b : RoiBin) -> f32 {
      return select(1.0, b.grid.x * b.grid.y, b.span.x > 0 && b.span.y > 0);
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
