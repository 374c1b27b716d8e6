/**
 * GLSL of mmcv's DeformRoIPool (docs/semantics.md §4): a bin's shifted sampling
 * grid, and sampler A (§0.2). RoIs are data, so the grid size of adaptive
 * sampling is known only on the GPU: its loops have dynamic bounds (GLSL ES
 * 3.0, WebGL2, as the scatter needs anyway).
 */
import type {RoIPoolInfo} from '../../shape/roi_pool';
import {clampedSampleGlsl} from './clamped_sample_glsl';
import {glslFloat} from './deform_glsl';

/**
 * `RoiBin roiBin(int r, int ph, int pw)`: the grid of bin `(ph, pw)` of RoI
 * `r`, shifted by its offset, with the part of it that can be inside the map
 * (`first`, `span`); `vec2 gridPoint(b, ky, kx)`, the `(y, x)` of point
 * `first + (ky, kx)`; `gridCount(b)`, the divisor. Needs the program inputs
 * `rois` and `offset`.
 */
export function roiBinGlsl(info: RoIPoolInfo): string {
  const {pooledHeight, pooledWidth, samplingRatio, height, width} = info;
  const scale = glslFloat(info.spatialScale);
  const gamma = glslFloat(info.gamma);
  const grid = (extent: string, bins: number) =>
    samplingRatio > 0 ? `${samplingRatio}.0` : `ceil(${extent} / ${bins}.0)`;
  return `
    struct RoiBin {
      int n;
      vec2 origin;   // (y, x) of the shifted bin's top-left corner
      vec2 size;     // bin height, width
      vec2 roiSize;  // RoI height, width
      vec2 grid;     // samples per axis; none when either is not > 0
      vec2 first;    // per axis, the first grid point that can be inside the map
      ivec2 span;    // and how many from there can (docs/semantics.md §4.2)
    };

    bool roiFinite(float v) {
      return !isnan(v) && !isinf(v);
    }

    // (first, count) of one axis's grid points that can fall inside the
    // window [-1, size], widened by one each side and capped at what the
    // window holds: the work is bounded by the map, not by the RoI.
    vec2 windowedSamples(float origin, float extent, float grid, float size) {
      if (!(grid > 0.0) || !roiFinite(origin) || !roiFinite(extent)) {
        return vec2(0.0);
      }
      float step = extent / grid;
      if (step == 0.0) {
        return vec2(0.0, origin >= -1.0 && origin <= size ? grid : 0.0);
      }
      float a = (-1.0 - origin) / step - 0.5;
      float b = (size - origin) / step - 0.5;
      float first = max(0.0, ceil(min(a, b)) - 1.0);
      float last = min(grid - 1.0, floor(max(a, b)) + 1.0);
      float most = ceil((size + 1.0) / abs(step)) + 3.0;
      return vec2(first, clamp(last - first + 1.0, 0.0, most));
    }

    RoiBin roiBin(int r, int ph, int pw) {
      RoiBin b;
      b.n = int(getRois(r, 0));
      vec2 start = vec2(getRois(r, 2), getRois(r, 1)) * ${scale} - 0.5;
      vec2 end = vec2(getRois(r, 4), getRois(r, 3)) * ${scale} - 0.5;
      b.roiSize = end - start;
      b.size = b.roiSize / vec2(${pooledHeight}.0, ${pooledWidth}.0);
      // Adaptive sampling of an empty or inverted RoI gives no samples (mmcv).
      b.grid = vec2(${grid('b.roiSize.x', pooledHeight)}, ${grid('b.roiSize.y', pooledWidth)});
      vec2 shift = ${gamma} * b.roiSize *
          vec2(getOffset(r, ph, pw, 1), getOffset(r, ph, pw, 0));
      b.origin = start + shift + vec2(float(ph), float(pw)) * b.size;
      vec2 alongY = windowedSamples(b.origin.x, b.size.x, b.grid.x, ${height}.0);
      vec2 alongX = windowedSamples(b.origin.y, b.size.y, b.grid.y, ${width}.0);
      b.first = vec2(alongY.x, alongX.x);
      b.span = ivec2(int(alongY.y), int(alongX.y));
      return b;
    }

    // Grid point first + (ky, kx) of the bin.
    vec2 gridPoint(RoiBin b, int ky, int kx) {
      return b.origin + (b.first + vec2(float(ky), float(kx)) + 0.5) * b.size / b.grid;
    }

    // The average's divisor: the whole grid's size.
    float gridCount(RoiBin b) {
      return b.grid.x * b.grid.y;
    }
  `;
}

/**
 * Sampler A on image `n` of the program input `x` (`[N, H, W, C]`):
 * `ClampedSample locateA(int n, vec2 p)` clamps `p = (y, x)` into the image
 * (nothing outside the closed window `[-1, H] x [-1, W]`); with `readsX`,
 * the shared corner reads and interpolation, and `aGradY`/`aGradX`, mmcv's
 * derivatives (the unclamped position against the clamped corners).
 */
export function samplerAGlsl(info: RoIPoolInfo, readsX = true): string {
  const {height, width} = info;
  return `
    ${clampedSampleGlsl(readsX)}

    ClampedSample locateA(int n, vec2 p) {
      ClampedSample s;
      s.n = n;
      s.position = p;
      // NaN fails no comparison reliably on every GPU: test it explicitly.
      s.inside = !isnan(p.x) && !isnan(p.y) && p.x >= -1.0 &&
          p.x <= ${height}.0 && p.y >= -1.0 && p.y <= ${width}.0;
      vec2 clamped = s.inside ? max(p, 0.0) : vec2(0.0);
      s.low = ivec2(clamped);
      ivec2 last = ivec2(${height - 1}, ${width - 1});
      bvec2 atEnd = greaterThanEqual(s.low, last);
      s.low = min(s.low, last);
      s.high = ivec2(atEnd.x ? last.x : s.low.x + 1, atEnd.y ? last.y : s.low.y + 1);
      clamped = vec2(atEnd.x ? float(last.x) : clamped.x,
                     atEnd.y ? float(last.y) : clamped.y);
      s.frac = clamped - vec2(s.low);
      return s;
    }

    float aGradY(ClampedSample s, vec4 v) {
      return (v.w - v.y) * (s.position.y - float(s.low.y)) +
          (v.z - v.x) * (float(s.high.y) - s.position.y);
    }

    float aGradX(ClampedSample s, vec4 v) {
      return (v.w - v.z) * (s.position.x - float(s.low.x)) +
          (v.y - v.x) * (float(s.high.x) - s.position.x);
    }
  `;
}
