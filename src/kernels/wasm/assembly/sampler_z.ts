/**
 * Sampler Z of semantics.md §0.1 (as src/kernels/reference/bilinear_z.ts):
 * bilinear interpolation of the input zero-extended by one pixel, 0 outside
 * the open window `-1 < y < H, -1 < x < W`. `locate` finds the four corners of
 * a position once; the run functions then apply it to a run of contiguous
 * NHWC channels, four lanes at a time (f32x4).
 *
 * Corners outside the input point at a caller-provided zero pixel instead of
 * being read: nothing outside the input is touched, and they add exactly 0.
 */
import {channels, inHeight, inWidth} from './geometry';

/** Byte address of channel 0 of each corner of the located sample (or the zero pixel). */
let at00: usize = 0;
let at01: usize = 0;
let at10: usize = 0;
let at11: usize = 0;
let zeroPixel: usize = 0;
/** Fractional parts of the located position. */
let ly: f32 = 0;
let lx: f32 = 0;

/**
 * Locates `(y, x)` in the image at byte address `image`. Returns false when
 * the sample is 0 with zero derivatives: outside the window, or not finite
 * (the positive test rejects NaN too); every corner is then the zero pixel.
 */
export function locate(y: f64, x: f64, image: usize, zeros: usize): bool {
  zeroPixel = zeros;
  if (!(y > -1 && y < <f64>inHeight && x > -1 && x < <f64>inWidth)) {
    at00 = at01 = at10 = at11 = zeros;
    return false;
  }
  const fy = Math.floor(y);
  const fx = Math.floor(x);
  ly = <f32>(y - fy);
  lx = <f32>(x - fx);
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
  at00 = top && left ? corner : zeros;
  at01 = top && right ? corner + pixel : zeros;
  at10 = bottom && left ? corner + below : zeros;
  at11 = bottom && right ? corner + below + pixel : zeros;
  return true;
}

@inline function lerp(a: v128, b: v128, t: v128, oneMinusT: v128): v128 {
  return f32x4.add(f32x4.mul(oneMinusT, a), f32x4.mul(t, b));
}

/**
 * The run functions step through channels with `T = v128` (four lanes) and
 * finish the tail with `T = f32` (one lane, the others zero): one body each.
 */
@inline function lanes<T>(): i32 {
  return <i32>(sizeof<T>() >> 2);
}

@inline function loadLanes<T>(at: usize): v128 {
  return sizeof<T>() == 16 ? v128.load(at) : v128.load32_zero(at);
}

@inline function storeLanes<T>(at: usize, v: v128): void {
  if (sizeof<T>() == 16) {
    v128.store(at, v);
  } else {
    v128.store32_lane(at, v, 0);
  }
}

/** Channels of a run handled four at a time. */
@inline function fullLength(length: i32): i32 {
  return length & ~3;
}

/** Byte offset of channel `c + i` in a pixel. */
@inline function channelBytes(c: i32, i: i32): usize {
  return <usize>(c + i) << 2;
}

/** Byte offset of element `i` of a run. */
@inline function runBytes(i: i32): usize {
  return <usize>i << 2;
}

function sampleLanes<T>(
    from: i32, to: i32, c: i32, scale: f32, dst: usize): void {
  const vy = f32x4.splat(ly);
  const vx = f32x4.splat(lx);
  const uy = f32x4.splat(1 - ly);
  const ux = f32x4.splat(1 - lx);
  const s = f32x4.splat(scale);
  // Locals, not globals, in the loop: engines keep them in registers.
  const p00 = at00, p01 = at01, p10 = at10, p11 = at11;
  for (let i = from; i < to; i += lanes<T>()) {
    const b = channelBytes(c, i);
    const z = lerp(
        lerp(loadLanes<T>(p00 + b), loadLanes<T>(p01 + b), vx, ux),
        lerp(loadLanes<T>(p10 + b), loadLanes<T>(p11 + b), vx, ux), vy, uy);
    storeLanes<T>(dst + runBytes(i), f32x4.mul(s, z));
  }
}

/** `dst[i] = scale * Z(channel c + i)` for `i < length`. */
export function sampleRun(c: i32, length: i32, scale: f32, dst: usize): void {
  sampleLanes<v128>(0, fullLength(length), c, scale, dst);
  sampleLanes<f32>(fullLength(length), length, c, scale, dst);
}

function scatterLanes<T>(
    at: usize, weight: f32, from: i32, to: i32, c: i32, src: usize): void {
  const w = f32x4.splat(weight);
  for (let i = from; i < to; i += lanes<T>()) {
    const target = at + channelBytes(c, i);
    const add = f32x4.mul(w, loadLanes<T>(src + runBytes(i)));
    storeLanes<T>(target, f32x4.add(loadLanes<T>(target), add));
  }
}

/** Adds `weight * src[i]` into channel `c + i` of one corner, if inside the input. */
function scatterCorner(
    at: usize, weight: f32, c: i32, length: i32, src: usize): void {
  if (at != zeroPixel) {
    scatterLanes<v128>(at, weight, 0, fullLength(length), c, src);
    scatterLanes<f32>(at, weight, fullLength(length), length, c, src);
  }
}

/**
 * Transpose of `sampleRun`: adds `scale * src[i]` times each corner's weight
 * into channel `c + i` of the corners inside the input.
 */
export function scatterRun(c: i32, length: i32, scale: f32, src: usize): void {
  scatterCorner(at00, (1 - ly) * (1 - lx) * scale, c, length, src);
  scatterCorner(at01, (1 - ly) * lx * scale, c, length, src);
  scatterCorner(at10, ly * (1 - lx) * scale, c, length, src);
  scatterCorner(at11, ly * lx * scale, c, length, src);
}

/** Results of `gatherRun`. */
export let sumValue: f32 = 0;
export let sumGradY: f32 = 0;
export let sumGradX: f32 = 0;

@inline function horizontalSum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) +
      (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

function gatherLanes<T>(from: i32, to: i32, c: i32, src: usize): void {
  const vy = f32x4.splat(ly);
  const vx = f32x4.splat(lx);
  const uy = f32x4.splat(1 - ly);
  const ux = f32x4.splat(1 - lx);
  let value = f32x4.splat(0);
  let gradY = f32x4.splat(0);
  let gradX = f32x4.splat(0);
  const p00 = at00, p01 = at01, p10 = at10, p11 = at11;
  for (let i = from; i < to; i += lanes<T>()) {
    const b = channelBytes(c, i);
    const g = loadLanes<T>(src + runBytes(i));
    const a00 = loadLanes<T>(p00 + b);
    const a01 = loadLanes<T>(p01 + b);
    const a10 = loadLanes<T>(p10 + b);
    const a11 = loadLanes<T>(p11 + b);
    const z = lerp(lerp(a00, a01, vx, ux), lerp(a10, a11, vx, ux), vy, uy);
    const dzdy = lerp(f32x4.sub(a10, a00), f32x4.sub(a11, a01), vx, ux);
    const dzdx = lerp(f32x4.sub(a01, a00), f32x4.sub(a11, a10), vy, uy);
    value = f32x4.add(value, f32x4.mul(g, z));
    gradY = f32x4.add(gradY, f32x4.mul(g, dzdy));
    gradX = f32x4.add(gradX, f32x4.mul(g, dzdx));
  }
  sumValue += horizontalSum(value);
  sumGradY += horizontalSum(gradY);
  sumGradX += horizontalSum(gradX);
}

/**
 * `Σ src[i] Z`, `Σ src[i] dZ/dy` and `Σ src[i] dZ/dx` over channels `c + i`
 * into `sumValue`, `sumGradY`, `sumGradX` (derivatives as forward
 * differences toward `floor + 1`, mmcv's rule).
 */
export function gatherRun(c: i32, length: i32, src: usize): void {
  sumValue = 0;
  sumGradY = 0;
  sumGradX = 0;
  gatherLanes<v128>(0, fullLength(length), c, src);
  gatherLanes<f32>(fullLength(length), length, c, src);
}
