/**
 * Sampler Z of semantics.md §0.1 (as src/kernels/reference/bilinear_z.ts):
 * bilinear interpolation of the input zero-extended by one pixel, 0 outside
 * the open window `-1 < y < H, -1 < x < W`. `locate` finds the four corners of
 * a position once; the runs of bilinear_runs.ts then apply it to contiguous
 * NHWC channels.
 *
 * Corners outside the input point at a caller-provided zero pixel instead of
 * being read: nothing outside the input is touched, and they add exactly 0.
 */
import {setCorners} from './bilinear_runs';
import {channels, inHeight, inWidth} from './geometry';

export {gatherRun, QUAD_BYTES, sampleRun, scatterRun, sumGradX, sumGradY, sumValue, weightedSumRun} from './bilinear_runs';

/**
 * Locates `(y, x)` in the image at byte address `image`. Returns false when
 * the sample is 0 with zero derivatives: outside the window, or not finite
 * (the positive test rejects NaN too); every corner is then the zero pixel.
 */
export function locate(y: f64, x: f64, image: usize, zeros: usize): bool {
  if (!(y > -1 && y < <f64>inHeight && x > -1 && x < <f64>inWidth)) {
    setCorners(zeros, zeros, zeros, zeros, zeros, 0, 0);
    return false;
  }
  const fy = Math.floor(y);
  const fx = Math.floor(x);
  const y0 = <i32>fy;
  const x0 = <i32>fx;
  const top = y0 >= 0;
  const bottom = y0 + 1 < inHeight;
  const left = x0 >= 0;
  const right = x0 + 1 < inWidth;
  // Wraps for y0 or x0 = -1, but those corners take the zero pixel.
  const corner = image + <usize>((y0 * inWidth + x0) * channels << 2);
  const pixel = <usize>channels << 2;
  const below = <usize>(inWidth * channels) << 2;
  setCorners(
      top && left ? corner : zeros, top && right ? corner + pixel : zeros,
      bottom && left ? corner + below : zeros,
      bottom && right ? corner + below + pixel : zeros, zeros, <f32>(y - fy),
      <f32>(x - fx));
  return true;
}

/**
 * `locate` for four samples at once (f32 lanes), writing one block of
 * `QUAD_BYTES` at `at` (layout in bilinear_runs.ts): corner addresses in
 * `image` (the zero pixel outside the input) and `scale` times the bilinear
 * weights. A lane outside the window (or not finite) gets zero weights, so it
 * adds exactly nothing, whatever its scale.
 */
@inline export function locateQuad(y: v128, x: v128, scale: v128, image: usize, zeros: usize, at: usize): void {
  const minusOne = f32x4.splat(-1);
  const inside = v128.and(
      v128.and(f32x4.gt(y, minusOne), f32x4.lt(y, f32x4.splat(<f32>inHeight))),
      v128.and(f32x4.gt(x, minusOne), f32x4.lt(x, f32x4.splat(<f32>inWidth))));
  const fy = f32x4.floor(y);
  const fx = f32x4.floor(x);
  const y0 = i32x4.trunc_sat_f32x4_s(fy);
  const x0 = i32x4.trunc_sat_f32x4_s(fx);
  // Lanes outside the window may wrap here; they take the zero pixel below.
  const pixel = i32x4.splat(channels << 2);
  const corner = i32x4.add(
      i32x4.splat(<i32>image), i32x4.mul(i32x4.add(i32x4.mul(y0, i32x4.splat(inWidth)), x0), pixel));
  const below = i32x4.splat((inWidth * channels) << 2);
  const zero = i32x4.splat(0);
  const one = i32x4.splat(1);
  const top = v128.and(inside, i32x4.ge_s(y0, zero));
  const bottom = v128.and(inside, i32x4.lt_s(i32x4.add(y0, one), i32x4.splat(inHeight)));
  const left = i32x4.ge_s(x0, zero);
  const right = i32x4.lt_s(i32x4.add(x0, one), i32x4.splat(inWidth));
  const zeroPixel = i32x4.splat(<i32>zeros);
  v128.store(at, v128.bitselect(corner, zeroPixel, v128.and(top, left)));
  v128.store(at, v128.bitselect(i32x4.add(corner, pixel), zeroPixel, v128.and(top, right)), 16);
  v128.store(at, v128.bitselect(i32x4.add(corner, below), zeroPixel, v128.and(bottom, left)), 32);
  v128.store(at, v128.bitselect(i32x4.add(i32x4.add(corner, below), pixel), zeroPixel, v128.and(bottom, right)), 48);
  // `and` with the window mask: +0 outside, even for a NaN position or scale.
  const ly = v128.and(f32x4.sub(y, fy), inside);
  const lx = v128.and(f32x4.sub(x, fx), inside);
  const ones = f32x4.splat(1);
  const upper = v128.and(f32x4.mul(f32x4.sub(ones, ly), scale), inside);
  const lower = v128.and(f32x4.mul(ly, scale), inside);
  const ux = f32x4.sub(ones, lx);
  v128.store(at, f32x4.mul(upper, ux), 64);
  v128.store(at, f32x4.mul(upper, lx), 80);
  v128.store(at, f32x4.mul(lower, ux), 96);
  v128.store(at, f32x4.mul(lower, lx), 112);
}
