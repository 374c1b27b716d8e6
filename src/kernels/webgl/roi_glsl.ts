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
 * `r`, shifted by its offset, and `vec2 gridPoint(b, iy, ix)`, the `(y, x)`
 * of one grid point. Needs the program inputs `rois` and `offset`.
 */
export function roiBinGlsl(info: RoIPoolInfo): string {
  const {pooledHeight, pooledWidth, samplingRatio} = info;
  const scale = glslFloat(info.spatialScale);
  const gamma = glslFloat(info.gamma);
  const grid = (extent: string, bins: number) =>
    samplingRatio > 0 ? `${samplingRatio}` : `int(ceil(${extent} / ${bins}.0))`;
  return `
    struct RoiBin {
      int n;
      vec2 origin;   // (y, x) of the shifted bin's top-left corner
      vec2 size;     // bin height, width
      vec2 roiSize;  // RoI height, width
      ivec2 grid;    // samples per axis; none when either is <= 0
    };

    RoiBin roiBin(int r, int ph, int pw) {
      RoiBin b;
      b.n = int(getRois(r, 0));
      vec2 start = vec2(getRois(r, 2), getRois(r, 1)) * ${scale} - 0.5;
      vec2 end = vec2(getRois(r, 4), getRois(r, 3)) * ${scale} - 0.5;
      b.roiSize = end - start;
      b.size = b.roiSize / vec2(${pooledHeight}.0, ${pooledWidth}.0);
      // Adaptive sampling of an empty or inverted RoI gives no samples (mmcv).
      b.grid = ivec2(${grid('b.roiSize.x', pooledHeight)}, ${grid('b.roiSize.y', pooledWidth)});
      vec2 shift = ${gamma} * b.roiSize *
          vec2(getOffset(r, ph, pw, 1), getOffset(r, ph, pw, 0));
      b.origin = start + shift + vec2(float(ph), float(pw)) * b.size;
      return b;
    }

    vec2 gridPoint(RoiBin b, int iy, int ix) {
      return b.origin + (vec2(float(iy), float(ix)) + 0.5) * b.size / vec2(b.grid);
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
