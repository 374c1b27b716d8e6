/**
 * Sampler Z of docs/semantics.md §0.1 (as src/kernels/reference/bilinear_z.ts):
 * bilinear interpolation of the input zero-extended by one pixel, 0 outside
 * the open window `-1 < y < H, -1 < x < W`. A position is located once
 * (`insideZ`, then `cornersZ` and `weightsZ`: corners relative to the image,
 * packed as bilinear_runs.ts describes; or inline from `cornerBase`, as the
 * DCN walk does); the runs of bilinear_runs.ts then apply it to contiguous
 * NHWC channels of `x` or `dx`.
 *
 * Corners outside the input read a caller-provided zero pixel instead: nothing
 * outside the input is touched, and they add exactly 0.
 */
import {cornersOf, OUTSIDE, weightsOf} from './bilinear_runs';

export {gatherRun, gatherRunAt, GATHER_VALUE, GATHER_X, GATHER_Y, QUAD_BYTES, sampleRunAt, scatterRun, scatterRunAt, weightedSumRun} from './bilinear_runs';

/**
 * Whether `(y, x)` is inside the window of an image of `height x width`.
 * Outside, or not finite (the positive test rejects NaN too), the sample is
 * 0 with zero derivatives. The samplers take the image's extents as
 * arguments (locals of the caller), so an inlined sampler reads no memory.
 */
@inline export function insideZ(height: i32, width: i32, y: f64, x: f64): bool {
  return y > -1 && y < <f64>height && x > -1 && x < <f64>width;
}

/**
 * Corners of a sample inside the window whose top left corner is `(y0, x0)`,
 * in an image of `height x width x channels`: `cornerBase` is corner 00's
 * byte offset (as if inside), corner 01 is `pixelBytes` after it, 10
 * `rowBytes` after it; `cornerZ` keeps an offset whose row and column are
 * inside the input (`inRows`: `y0 >= 0` for row `y0`, `y0 + 1 < height` for
 * row `y0 + 1`; columns alike), else gives `OUTSIDE`.
 */
@inline export function cornerBase(width: i32, channels: i32, y0: i32, x0: i32): i32 {
  // Wraps for y0 or x0 = -1, but those corners are outside.
  return ((y0 * width + x0) * channels) << 2;
}

@inline export function cornerZ(offset: i32, inRows: bool, inColumns: bool): i32 {
  return inRows && inColumns ? offset : OUTSIDE;
}

/** The fractional part of a coordinate inside the window. */
@inline export function fractionZ(v: f64): f32 {
  return <f32>(v - Math.floor(v));
}

/** The corners of `(y, x)`, inside the window, packed (bilinear_runs.ts). */
@inline export function cornersZ(height: i32, width: i32, channels: i32, y: f64, x: f64): v128 {
  const y0 = <i32>Math.floor(y);
  const x0 = <i32>Math.floor(x);
  const top = y0 >= 0;
  const bottom = y0 + 1 < height;
  const left = x0 >= 0;
  const right = x0 + 1 < width;
  const base = cornerBase(width, channels, y0, x0);
  const below = base + ((width * channels) << 2);
  const pixel = channels << 2;
  return cornersOf(
      cornerZ(base, top, left), cornerZ(base + pixel, top, right), cornerZ(below, bottom, left),
      cornerZ(below + pixel, bottom, right));
}

/** The weights of `(y, x)`, inside the window (also its derivative weights). */
@inline export function weightsZ(y: f64, x: f64): v128 {
  return weightsOf(fractionZ(y), fractionZ(x));
}

/**
 * Locates four samples at once (f32 lanes), writing one block of
 * `QUAD_BYTES` at `at` (layout in bilinear_runs.ts): corner addresses in the
 * image at `image` (the zero pixel, at `zeroPixel`, outside the input) and
 * `scale` times the bilinear weights. A lane outside the window (or not
 * finite) gets zero weights, so it adds exactly nothing, whatever its scale.
 * The block is the caller's scratch. The image's extents come splatted
 * by the caller, once per call: `height`, `width` as f32
 * (`heightF`, `widthF`) and i32 lanes, and the bytes of a pixel and a row.
 */
@inline export function locateQuad(
    heightF: v128, widthF: v128, height: v128, width: v128, pixel: v128, below: v128, y: v128,
    x: v128, scale: v128, image: v128, zeroPixel: v128, at: usize): void {
  const minusOne = f32x4.splat(-1);
  const inside = v128.and(
      v128.and(f32x4.gt(y, minusOne), f32x4.lt(y, heightF)),
      v128.and(f32x4.gt(x, minusOne), f32x4.lt(x, widthF)));
  const fy = f32x4.floor(y);
  const fx = f32x4.floor(x);
  const y0 = i32x4.trunc_sat_f32x4_s(fy);
  const x0 = i32x4.trunc_sat_f32x4_s(fx);
  // Lanes outside the window may wrap here; they take the zero pixel below.
  const corner = i32x4.add(image, i32x4.mul(i32x4.add(i32x4.mul(y0, width), x0), pixel));
  const zero = i32x4.splat(0);
  const one = i32x4.splat(1);
  const top = v128.and(inside, i32x4.ge_s(y0, zero));
  const bottom = v128.and(inside, i32x4.lt_s(i32x4.add(y0, one), height));
  const left = i32x4.ge_s(x0, zero);
  const right = i32x4.lt_s(i32x4.add(x0, one), width);
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
