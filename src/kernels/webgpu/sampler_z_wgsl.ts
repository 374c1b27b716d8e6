/**
 * WGSL of sampler Z (docs/semantics.md §0.1), written once for every webgpu
 * program that samples with it (DCNv1/v2, DCNv3), and where a DCNv1/v2 tap
 * samples (§1.4). Shapes are baked in as constants.
 */
import type {DeformConvInfo} from '../../shape/deform_conv';
import type {WindowGeometry} from '../../shape/window';

/** A finite number as a WGSL f32 literal. */
export function wgslFloat(value: number): string {
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/**
 * `ZSample zLocate(n, y, x)` locates a position of image `n` of an
 * `[N, H, W, C]` tensor once (`inside` false: the sample and its
 * derivatives are 0, NaN and infinities included); `zCornerIndex(s, dy, dx)`
 * is the element index of channel 0 of a corner (-1 outside the input) and
 * `zCornerWeight` its bilinear weight. With `readsX` (a program input `x`):
 * `zCorners(s, c)` (00, 01, 10, 11; or `zCornerIndices(s)` once, then
 * `zCornersAt(corners, c)` per channel), `zValue`, and `zGradY` / `zGradX`,
 * forward differences toward `floor + 1` (mmcv's rule at integers).
 */
export function samplerZWgsl(geometry: WindowGeometry, readsX: boolean): string {
  const {inHeight: h, inWidth: w, inChannels: c} = geometry;
  const corners = !readsX
    ? ''
    : `
    // Element indices of channel 0 of the corners (00, 01, 10, 11); -1 outside.
    fn zCornerIndices(s : ZSample) -> vec4<i32> {
      return vec4<i32>(zCornerIndex(s, 0, 0), zCornerIndex(s, 0, 1), zCornerIndex(s, 1, 0),
                       zCornerIndex(s, 1, 1));
    }

    fn zRead(i : i32, c : i32) -> f32 {
      return select(0.0, f32(x[max(i, 0) + c]), i >= 0);
    }

    // Channel c of the corners located once by zCornerIndices.
    fn zCornersAt(corners : vec4<i32>, c : i32) -> vec4<f32> {
      return vec4<f32>(zRead(corners.x, c), zRead(corners.y, c), zRead(corners.z, c),
                       zRead(corners.w, c));
    }

    fn zCorners(s : ZSample, c : i32) -> vec4<f32> {
      return zCornersAt(zCornerIndices(s), c);
    }

    fn zValue(s : ZSample, v : vec4<f32>) -> f32 {
      return (1.0 - s.ly) * ((1.0 - s.lx) * v.x + s.lx * v.y) +
          s.ly * ((1.0 - s.lx) * v.z + s.lx * v.w);
    }

    fn zGradY(s : ZSample, v : vec4<f32>) -> f32 {
      return (1.0 - s.lx) * (v.z - v.x) + s.lx * (v.w - v.y);
    }

    fn zGradX(s : ZSample, v : vec4<f32>) -> f32 {
      return (1.0 - s.ly) * (v.y - v.x) + s.ly * (v.w - v.z);
    }
  `;
  return `
    struct ZSample {
      inside : bool,
      n : i32,
      y0 : i32,
      x0 : i32,
      ly : f32,
      lx : f32,
    };

    // By the bits: a compiler may assume away NaN in comparisons.
    fn zFinite(v : f32) -> bool {
      return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
    }

    fn zLocate(n : i32, py : f32, px : f32) -> ZSample {
      var s : ZSample;
      s.n = n;
      s.inside = zFinite(py) && zFinite(px) && py > -1.0 && py < ${h}.0 && px > -1.0 &&
          px < ${w}.0;
      let p = select(vec2<f32>(-2.0, -2.0), vec2<f32>(py, px), s.inside);
      let origin = floor(p);
      s.y0 = i32(origin.x);
      s.x0 = i32(origin.y);
      s.ly = p.x - origin.x;
      s.lx = p.y - origin.y;
      return s;
    }

    fn zCornerIndex(s : ZSample, dy : i32, dx : i32) -> i32 {
      let cy = s.y0 + dy;
      let cx = s.x0 + dx;
      if (!s.inside || cy < 0 || cy >= ${h} || cx < 0 || cx >= ${w}) {
        return -1;
      }
      return ((s.n * ${h} + cy) * ${w} + cx) * ${c};
    }

    fn zCornerWeight(s : ZSample, dy : i32, dx : i32) -> f32 {
      return select(1.0 - s.ly, s.ly, dy == 1) * select(1.0 - s.lx, s.lx, dx == 1);
    }
    ${corners}
  `;
}

/**
 * `ZSample deformSample(row, t)`: DCNv1/v2's sample `t = offsetGroup * K +
 * kernelTap` of output position `row` (flattened `(n, oh, ow)`), and
 * `deformMask(row, t)` its mask (1 without one). Needs the program input
 * `offset` (and `mask` when `withMask`), after {@link samplerZWgsl}.
 */
export function deformSampleWgsl(info: DeformConvInfo, withMask: boolean): string {
  const {outHeight: ho, outWidth: wo, filterWidth, taps} = info;
  const samples = info.offsetGroups * taps;
  return `
    fn deformSample(row : i32, t : i32) -> ZSample {
      let n = row / ${ho * wo};
      let oh = (row / ${wo}) % ${ho};
      let ow = row % ${wo};
      let k = t % ${taps};
      let o = 2 * (row * ${samples} + t);
      let py = f32(oh * ${info.strideHeight} - ${info.padTop} +
                   (k / ${filterWidth}) * ${info.dilationHeight}) + f32(offset[o]);
      let px = f32(ow * ${info.strideWidth} - ${info.padLeft} +
                   (k % ${filterWidth}) * ${info.dilationWidth}) + f32(offset[o + 1]);
      return zLocate(n, py, px);
    }

    fn deformMask(row : i32, t : i32) -> f32 {
      return ${withMask ? `f32(mask[row * ${samples} + t])` : '1.0'};
    }
  `;
}
