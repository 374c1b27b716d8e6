/**
 * WGSL of the two clamped samplers of the RoI poolings, written once for
 * every webgpu program that samples with them: sampler A (docs/semantics.md
 * §0.2, mmcv's RoIAlign rule, `locateA`) and sampler P (§0.3, the
 * position-sensitive rule, `locateP`) differ only in where they accept and
 * clamp a position and in their derivatives; both then read or scatter the
 * four corners of image `n` of an `[N, H, W, C]` tensor through the shared
 * code here. Shapes are baked in as constants. The bins' geometry is
 * roi_bin_wgsl.ts.
 */

/** The image shape a clamped sampler reads (RoIPoolInfo and PSRoIPoolInfo both have it). */
export interface ClampedImage {
  batchSize: number;
  height: number;
  width: number;
  channels: number;
}

/**
 * `struct ClampedSample` and the corners' element indices and weights:
 * `clampedCornerIndex(s, corner)` is the element index of channel 0 of
 * corner `corner` (0..3 = rows low/high, then columns low/high, i.e. 00, 01,
 * 10, 11), always inside the tensor (a rejected sample has all corners at
 * image 0's pixel 0 and weight 0), `clampedWeight(s, corner)` its bilinear
 * weight. With `readsX` (a program input `x`): `clampedCorners(s, c)`, the
 * four corners of channel `c`, and `clampedValue(s, v)`.
 */
function clampedSampleWgsl(image: ClampedImage, readsX: boolean): string {
  const {height: h, width: w, channels: c} = image;
  const corners = !readsX
    ? ''
    : `
    fn clampedCorners(s : ClampedSample, c : i32) -> vec4<f32> {
      return vec4<f32>(f32(x[clampedCornerIndex(s, 0) + c]), f32(x[clampedCornerIndex(s, 1) + c]),
                       f32(x[clampedCornerIndex(s, 2) + c]), f32(x[clampedCornerIndex(s, 3) + c]));
    }

    fn clampedValue(s : ClampedSample, v : vec4<f32>) -> f32 {
      return (1.0 - s.ly) * ((1.0 - s.lx) * v.x + s.lx * v.y) +
          s.ly * ((1.0 - s.lx) * v.z + s.lx * v.w);
    }
  `;
  return `
    struct ClampedSample {
      inside : bool,  // accepted by the sampler's window; else it adds nothing
      n : i32,
      y0 : i32,       // corner rows and columns, clamped into the image
      y1 : i32,
      x0 : i32,
      x1 : i32,
      ly : f32,
      lx : f32,
      py : f32,       // the unclamped position (mmcv's derivatives use it)
      px : f32,
    };

    // By the bits: a compiler may assume away NaN in comparisons.
    fn clampedFinite(v : f32) -> bool {
      return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
    }

    fn clampedCornerIndex(s : ClampedSample, corner : i32) -> i32 {
      let row = select(s.y0, s.y1, corner >= 2);
      let column = select(s.x0, s.x1, corner % 2 == 1);
      return ((s.n * ${h} + row) * ${w} + column) * ${c};
    }

    fn clampedWeight(s : ClampedSample, corner : i32) -> f32 {
      return select(1.0 - s.ly, s.ly, corner >= 2) * select(1.0 - s.lx, s.lx, corner % 2 == 1);
    }
    ${corners}
  `;
}

/**
 * Sampler A: `ClampedSample locateA(n, py, px)` accepts the closed window
 * `[-1, H] x [-1, W]` (NaN and infinities rejected, and an image index
 * outside `[0, N)`), clamps the position at 0 and replicates the last row /
 * column over `[size - 1, size]`; with `readsX`, `aGradX(s, v)` and
 * `aGradY(s, v)`, mmcv's derivatives (the unclamped position against the
 * clamped corners, §4.3), used for Δx and Δy.
 */
export function samplerAWgsl(image: ClampedImage, readsX: boolean): string {
  const {batchSize, height: h, width: w} = image;
  const gradients = !readsX
    ? ''
    : `
    fn aGradX(s : ClampedSample, v : vec4<f32>) -> f32 {
      return (v.w - v.z) * (s.py - f32(s.y0)) + (v.y - v.x) * (f32(s.y1) - s.py);
    }

    fn aGradY(s : ClampedSample, v : vec4<f32>) -> f32 {
      return (v.w - v.y) * (s.px - f32(s.x0)) + (v.z - v.x) * (f32(s.x1) - s.px);
    }
  `;
  return `
    ${clampedSampleWgsl(image, readsX)}

    // Low corner, high corner and fraction on one axis, v in [0, size].
    fn aAxis(v : f32, size : i32) -> vec3<f32> {
      let low = i32(v);
      if (low >= size - 1) {
        return vec3<f32>(f32(size - 1), f32(size - 1), 0.0);
      }
      return vec3<f32>(f32(low), f32(low + 1), v - f32(low));
    }

    fn locateA(n : i32, py : f32, px : f32) -> ClampedSample {
      var s : ClampedSample;
      s.py = py;
      s.px = px;
      s.inside = n >= 0 && n < ${batchSize} && clampedFinite(py) && clampedFinite(px) &&
          py >= -1.0 && py <= ${h}.0 && px >= -1.0 && px <= ${w}.0;
      if (!s.inside) {
        return s;
      }
      s.n = n;
      let ay = aAxis(max(py, 0.0), ${h});
      let ax = aAxis(max(px, 0.0), ${w});
      s.y0 = i32(ay.x);
      s.y1 = i32(ay.y);
      s.ly = ay.z;
      s.x0 = i32(ax.x);
      s.x1 = i32(ax.y);
      s.lx = ax.z;
      return s;
    }
    ${gradients}
  `;
}

/**
 * Sampler P: `ClampedSample locateP(n, py, px)` skips positions outside
 * `[-0.5, size - 0.5]` (NaN and infinities too, and an image index outside
 * `[0, N)`), else clamps into the image between floor and ceil; with
 * `readsX`, `pGradX(s, v)` and `pGradY(s, v)` (0 along an axis where the
 * clamped coordinate is an integer, as the peer's).
 */
export function samplerPWgsl(image: ClampedImage, readsX: boolean): string {
  const {batchSize, height: h, width: w} = image;
  const gradients = !readsX
    ? ''
    : `
    fn pGradX(s : ClampedSample, v : vec4<f32>) -> f32 {
      return (1.0 - s.ly) * (v.y - v.x) + s.ly * (v.w - v.z);
    }

    fn pGradY(s : ClampedSample, v : vec4<f32>) -> f32 {
      return (1.0 - s.lx) * (v.z - v.x) + s.lx * (v.w - v.y);
    }
  `;
  return `
    ${clampedSampleWgsl(image, readsX)}

    fn locateP(n : i32, py : f32, px : f32) -> ClampedSample {
      var s : ClampedSample;
      s.py = py;
      s.px = px;
      s.inside = n >= 0 && n < ${batchSize} && clampedFinite(py) && clampedFinite(px) &&
          py >= -0.5 && py <= ${h - 0.5} && px >= -0.5 && px <= ${w - 0.5};
      if (!s.inside) {
        return s;
      }
      s.n = n;
      let yc = clamp(py, 0.0, ${h - 1}.0);
      let xc = clamp(px, 0.0, ${w - 1}.0);
      s.y0 = i32(floor(yc));
      s.y1 = i32(ceil(yc));
      s.ly = yc - floor(yc);
      s.x0 = i32(floor(xc));
      s.x1 = i32(ceil(xc));
      s.lx = xc - floor(xc);
      return s;
    }
    ${gradients}
  `;
}
