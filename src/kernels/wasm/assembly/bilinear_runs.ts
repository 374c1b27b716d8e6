/**
 * Bilinear interpolation of a located sample over a run of contiguous NHWC
 * channels, four lanes at a time (f32x4): the part every sampler shares. A
 * sampler's locate (sampler_z.ts, sampler_clamped.ts) sets the four corners
 * with `setCorners`; the run functions then read or scatter through them.
 */
import {addScaledRun, fullLength, horizontalSum, lanes, loadLanes, runBytes, storeLanes} from './lanes';

/** Byte address of channel 0 of each corner of the located sample. */
let at00: usize = 0;
let at01: usize = 0;
let at10: usize = 0;
let at11: usize = 0;
/** A corner at this address (sampler Z's zero pixel) receives no scatter. */
let skipped: usize = 0;
/** Fractional parts of the located position. */
let ly: f32 = 0;
let lx: f32 = 0;
/**
 * Weights of the position derivatives `dZ/dy = X0 (a10 - a00) + X1 (a11 - a01)`
 * and `dZ/dx = Y0 (a01 - a00) + Y1 (a11 - a10)`: normally `1 - lx, lx` and
 * `1 - ly, ly`; sampler A sets mmcv's own.
 */
let derivativeY0: f32 = 0;
let derivativeY1: f32 = 0;
let derivativeX0: f32 = 0;
let derivativeX1: f32 = 0;

/** Sets the located sample: its corners, the corner scatter skips, and its fractions. */
export function setCorners(
    c00: usize, c01: usize, c10: usize, c11: usize, skip: usize, fy: f32,
    fx: f32): void {
  at00 = c00;
  at01 = c01;
  at10 = c10;
  at11 = c11;
  skipped = skip;
  ly = fy;
  lx = fx;
  setDerivativeWeights(1 - fy, fy, 1 - fx, fx);
}

/** Overrides the weights of the position derivatives (after `setCorners`). */
export function setDerivativeWeights(y0: f32, y1: f32, x0: f32, x1: f32): void {
  derivativeY0 = y0;
  derivativeY1 = y1;
  derivativeX0 = x0;
  derivativeX1 = x1;
}

@inline function lerp(a: v128, b: v128, t: v128, oneMinusT: v128): v128 {
  return f32x4.add(f32x4.mul(oneMinusT, a), f32x4.mul(t, b));
}

/** Byte offset of channel `c + i` in a pixel. */
@inline function channelBytes(c: i32, i: i32): usize {
  return <usize>(c + i) << 2;
}

// Inlined, so `accumulate` is a constant in each copy and its test folds away.
@inline function sampleLanes<T>(
    from: i32, to: i32, c: i32, scale: f32, dst: usize, accumulate: bool): void {
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
    const scaled = f32x4.mul(s, z);
    const at = dst + runBytes(i);
    storeLanes<T>(at, accumulate ? f32x4.add(loadLanes<T>(at), scaled) : scaled);
  }
}

/** `dst[i] = scale * Z(channel c + i)` for `i < length`. */
export function sampleRun(c: i32, length: i32, scale: f32, dst: usize): void {
  sampleLanes<v128>(0, fullLength(length), c, scale, dst, false);
  sampleLanes<f32>(fullLength(length), length, c, scale, dst, false);
}

/** `dst[i] += scale * Z(channel c + i)` for `i < length`. */
export function accumulateRun(c: i32, length: i32, scale: f32, dst: usize): void {
  sampleLanes<v128>(0, fullLength(length), c, scale, dst, true);
  sampleLanes<f32>(fullLength(length), length, c, scale, dst, true);
}

/** Adds `weight * src[i]` into channel `c + i` of one corner, if inside the input. */
function scatterCorner(
    at: usize, weight: f32, c: i32, length: i32, src: usize): void {
  if (at != skipped) {
    addScaledRun(at + channelBytes(c, 0), src, weight, length);
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

function gatherLanes<T>(from: i32, to: i32, c: i32, src: usize): void {
  const vy = f32x4.splat(ly);
  const vx = f32x4.splat(lx);
  const uy = f32x4.splat(1 - ly);
  const ux = f32x4.splat(1 - lx);
  const wy1 = f32x4.splat(derivativeY1);
  const wx1 = f32x4.splat(derivativeX1);
  const wy0 = f32x4.splat(derivativeY0);
  const wx0 = f32x4.splat(derivativeX0);
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
    const dzdy = lerp(f32x4.sub(a10, a00), f32x4.sub(a11, a01), wx1, wx0);
    const dzdx = lerp(f32x4.sub(a01, a00), f32x4.sub(a11, a10), wy1, wy0);
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
 * into `sumValue`, `sumGradY`, `sumGradX` (derivatives with the derivative
 * weights: for samplers Z and P forward differences toward `floor + 1`,
 * mmcv's rule).
 */
export function gatherRun(c: i32, length: i32, src: usize): void {
  sumValue = 0;
  sumGradY = 0;
  sumGradX = 0;
  gatherLanes<v128>(0, fullLength(length), c, src);
  gatherLanes<f32>(fullLength(length), length, c, src);
}

/**
 * Located samples, four per block of `QUAD_BYTES` (`sampler_z.locateQuad`):
 * each corner's four addresses (u32 lanes), then each corner's four weights
 * (f32 lanes), corners in the order 00, 01, 10, 11.
 */
export const QUAD_BYTES: usize = 128;
const WEIGHTS: usize = 64;

/** Byte address of sample `s`'s lane in its block (corner 00's address). */
@inline function sampleLane(samples: usize, s: i32): usize {
  return samples + (<usize>(s >> 2) * QUAD_BYTES) + (<usize>(s & 3) << 2);
}

@inline function addWeighted(sum: v128, weight: v128, at: usize): v128 {
  return f32x4.add(sum, f32x4.mul(weight, v128.load(at)));
}

/** `sum` plus the four weighted corners' lanes at byte `offset` past each corner address. */
@inline function addCorners(
    sum: v128, c00: usize, c01: usize, c10: usize, c11: usize, w00: v128, w01: v128, w10: v128,
    w11: v128, offset: usize): v128 {
  return addWeighted(addWeighted(addWeighted(addWeighted(sum, w00, c00 + offset), w01, c01 + offset),
                                 w10, c10 + offset), w11, c11 + offset);
}

/**
 * Sixteen channels from byte offset `b` of every sample: four accumulators
 * stay in registers over all samples and corners, stored once.
 */
function weightedSumBlock(samples: usize, count: i32, b: usize, dst: usize): void {
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let s2 = f32x4.splat(0);
  let s3 = f32x4.splat(0);
  for (let s = 0; s < count; s++) {
    const lane = sampleLane(samples, s);
    // The four corners unrolled (a loop's branch costs a fifth of its body).
    const c00 = <usize>load<u32>(lane) + b;
    const c01 = <usize>load<u32>(lane, 16) + b;
    const c10 = <usize>load<u32>(lane, 32) + b;
    const c11 = <usize>load<u32>(lane, 48) + b;
    const w00 = v128.load32_splat(lane, WEIGHTS);
    const w01 = v128.load32_splat(lane, WEIGHTS + 16);
    const w10 = v128.load32_splat(lane, WEIGHTS + 32);
    const w11 = v128.load32_splat(lane, WEIGHTS + 48);
    s0 = addCorners(s0, c00, c01, c10, c11, w00, w01, w10, w11, 0);
    s1 = addCorners(s1, c00, c01, c10, c11, w00, w01, w10, w11, 16);
    s2 = addCorners(s2, c00, c01, c10, c11, w00, w01, w10, w11, 32);
    s3 = addCorners(s3, c00, c01, c10, c11, w00, w01, w10, w11, 48);
  }
  v128.store(dst, s0);
  v128.store(dst, s1, 16);
  v128.store(dst, s2, 32);
  v128.store(dst, s3, 48);
}

/** Four channels (`T = v128`) or one (`T = f32`) from byte offset `b` of every sample. */
function weightedSumLanes<T>(samples: usize, count: i32, b: usize, dst: usize): void {
  let sum = f32x4.splat(0);
  for (let s = 0; s < count; s++) {
    const lane = sampleLane(samples, s);
    for (let corner: usize = 0; corner < WEIGHTS; corner += 16) {
      const at = <usize>load<u32>(lane + corner) + b;
      sum = f32x4.add(sum, f32x4.mul(v128.load32_splat(lane + corner + WEIGHTS), loadLanes<T>(at)));
    }
  }
  storeLanes<T>(dst, sum);
}

/**
 * `dst[i] = Σ weight * corner[c + i]` over the first `count` samples located
 * at `samples`, for `i < length`: each output channel is summed in registers
 * and written once.
 */
export function weightedSumRun(samples: usize, count: i32, c: i32, length: i32, dst: usize): void {
  let i = 0;
  for (; i + 16 <= length; i += 16) {
    weightedSumBlock(samples, count, channelBytes(c, i), dst + runBytes(i));
  }
  for (; i < fullLength(length); i += 4) {
    weightedSumLanes<v128>(samples, count, channelBytes(c, i), dst + runBytes(i));
  }
  for (; i < length; i++) {
    weightedSumLanes<f32>(samples, count, channelBytes(c, i), dst + runBytes(i));
  }
}
