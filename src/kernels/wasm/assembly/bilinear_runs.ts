/**
 * Bilinear interpolation of a located sample over a run of contiguous NHWC
 * channels, four lanes at a time (f32x4): the part every sampler shares.
 *
 * A located sample (computed by a sampler, sampler_z.ts or
 * sampler_clamped.ts) is passed by value, so nothing is kept between calls:
 * - its corners 00, 01, 10, 11 as byte offsets relative to the image they lie
 *   in, `OUTSIDE` (-1) for a corner outside the input. Relative, so one
 *   located sample reads `x` (gathers) and writes `dx` (scatters): the runs
 *   take the image's address. A corner outside reads the caller's zero pixel
 *   and receives no scatter;
 * - the fractional parts `ly, lx` of its position;
 * - for gathers, the weights `(Y0, Y1, X0, X1)` of the position derivatives
 *   `dZ/dy = X0 (a10 - a00) + X1 (a11 - a01)` and
 *   `dZ/dx = Y0 (a01 - a00) + Y1 (a11 - a10)`: `(1 - ly, ly, 1 - lx, lx)`
 *   for samplers Z and P (forward differences toward `floor + 1`, mmcv's
 *   rule), mmcv's own for A.
 *
 * The runs (`...At`) take these as scalars, which stay in the caller's
 * locals when it locates inline (the DCN walk, deform_conv.ts). The
 * samplers' locate functions return them packed in v128 values instead
 * (`corners`, i32 lanes in corner order; `weights`, f32 lanes
 * `(1 - ly, ly, 1 - lx, lx)`; `derivative`, f32 lanes `(Y0, Y1, X0, X1)`),
 * one value per function, which the packed runs unpack.
 */
import {fullLength, horizontalSum, lanes, loadLanes, runBytes, storeLanes} from './lanes';

/** A corner outside the input. */
export const OUTSIDE: i32 = -1;

/** `corners` from the four corners' byte offsets. */
@inline export function cornersOf(c00: i32, c01: i32, c10: i32, c11: i32): v128 {
  return i32x4.replace_lane(
      i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(c00), 1, c01), 2, c10), 3, c11);
}

/** `weights` of the fractional parts `ly, lx`. */
@inline export function weightsOf(ly: f32, lx: f32): v128 {
  return f32x4.replace_lane(
      f32x4.replace_lane(
          f32x4.replace_lane(f32x4.splat(1 - ly), 1, ly), 2, 1 - lx),
      3, lx);
}

/** Byte addresses of the corners in the image at `image` (i32 lanes); `zeros` for those outside. */
@inline function cornerAddresses(image: usize, zeros: usize, corners: v128): v128 {
  return v128.bitselect(
      i32x4.splat(<i32>zeros), i32x4.add(i32x4.splat(<i32>image), corners),
      i32x4.lt_s(corners, i32x4.splat(0)));
}

/** Byte offset of channel `c + i` in a pixel. */
@inline function channelBytes(c: i32, i: i32): usize {
  return <usize>(c + i) << 2;
}

// Inlined, so `accumulate` is a constant in each copy and its test folds away.
// The scale rides on the four corner weights (the peers' w1 v1 + w2 v2 + w3 v3 +
// w4 v4): 4 multiplies and 3 adds per lane group instead of two lerps and a scale.
@inline function sampleLanes<T>(
    from: i32, to: i32, c: i32, p00: usize, p01: usize, p10: usize, p11: usize,
    ly: f32, lx: f32, scale: f32, dst: usize, accumulate: bool): void {
  const top = scale * (1 - ly);
  const bottom = scale * ly;
  const w00 = f32x4.splat(top * (1 - lx));
  const w01 = f32x4.splat(top * lx);
  const w10 = f32x4.splat(bottom * (1 - lx));
  const w11 = f32x4.splat(bottom * lx);
  for (let i = from; i < to; i += lanes<T>()) {
    const b = channelBytes(c, i);
    const scaled = f32x4.add(
        f32x4.add(f32x4.mul(w00, loadLanes<T>(p00 + b)), f32x4.mul(w01, loadLanes<T>(p01 + b))),
        f32x4.add(f32x4.mul(w10, loadLanes<T>(p10 + b)), f32x4.mul(w11, loadLanes<T>(p11 + b))));
    const at = dst + runBytes(i);
    storeLanes<T>(at, accumulate ? f32x4.add(loadLanes<T>(at), scaled) : scaled);
  }
}

/**
 * `dst[i] = scale * Z(channel c + i)` for `i < length`, from the corners'
 * byte addresses and the fractions `ly, lx` as scalars (what a caller that
 * locates inline passes: nothing to pack or unpack).
 */
@inline export function sampleRunAt(
    p00: usize, p01: usize, p10: usize, p11: usize, ly: f32, lx: f32, c: i32,
    length: i32, scale: f32, dst: usize): void {
  const full = fullLength(length);
  if (full > 0) sampleLanes<v128>(0, full, c, p00, p01, p10, p11, ly, lx, scale, dst, false);
  if (full < length) sampleLanes<f32>(full, length, c, p00, p01, p10, p11, ly, lx, scale, dst, false);
}

/** `sampleRunAt` of a packed located sample in the image at `image`. */
export function sampleRun(
    image: usize, zeros: usize, corners: v128, weights: v128, c: i32,
    length: i32, scale: f32, dst: usize): void {
  const addresses = cornerAddresses(image, zeros, corners);
  sampleRunAt(
      <usize>i32x4.extract_lane(addresses, 0), <usize>i32x4.extract_lane(addresses, 1),
      <usize>i32x4.extract_lane(addresses, 2), <usize>i32x4.extract_lane(addresses, 3),
      f32x4.extract_lane(weights, 1), f32x4.extract_lane(weights, 3), c, length, scale, dst);
}

/** `dst[i] += scale * Z(channel c + i)` for `i < length`, from the corners' byte addresses. */
@inline export function accumulateRunAt(
    p00: usize, p01: usize, p10: usize, p11: usize, ly: f32, lx: f32, c: i32,
    length: i32, scale: f32, dst: usize): void {
  sampleLanes<v128>(0, fullLength(length), c, p00, p01, p10, p11, ly, lx, scale, dst, true);
  sampleLanes<f32>(fullLength(length), length, c, p00, p01, p10, p11, ly, lx, scale, dst, true);
}

/** `accumulateRunAt` of a packed located sample in the image at `image`. */
export function accumulateRun(
    image: usize, zeros: usize, corners: v128, weights: v128, c: i32,
    length: i32, scale: f32, dst: usize): void {
  const addresses = cornerAddresses(image, zeros, corners);
  accumulateRunAt(
      <usize>i32x4.extract_lane(addresses, 0), <usize>i32x4.extract_lane(addresses, 1),
      <usize>i32x4.extract_lane(addresses, 2), <usize>i32x4.extract_lane(addresses, 3),
      f32x4.extract_lane(weights, 1), f32x4.extract_lane(weights, 3), c, length, scale, dst);
}

@inline function addScaledLanesAt<T>(at: usize, weight: v128, g: v128): void {
  storeLanes<T>(at, f32x4.add(loadLanes<T>(at), f32x4.mul(weight, g)));
}

/** One stretch of `scatterRunAt`: a corner at `skipped` (the zero pixel) receives nothing. */
@inline function scatterLanes<T>(
    from: i32, to: i32, skipped: usize, p00: usize, p01: usize, p10: usize, p11: usize,
    w00: f32, w01: f32, w10: f32, w11: f32, c: i32, src: usize): void {
  const s00 = f32x4.splat(w00);
  const s01 = f32x4.splat(w01);
  const s10 = f32x4.splat(w10);
  const s11 = f32x4.splat(w11);
  for (let i = from; i < to; i += lanes<T>()) {
    const b = channelBytes(c, i);
    const g = loadLanes<T>(src + runBytes(i));
    if (p00 != skipped) addScaledLanesAt<T>(p00 + b, s00, g);
    if (p01 != skipped) addScaledLanesAt<T>(p01 + b, s01, g);
    if (p10 != skipped) addScaledLanesAt<T>(p10 + b, s10, g);
    if (p11 != skipped) addScaledLanesAt<T>(p11 + b, s11, g);
  }
}

/**
 * Transpose of `sampleRunAt`: adds `scale * src[i]` times each corner's
 * weight into channel `c + i` of the corners at `p00 ... p11`, except those
 * at `zeros` (outside the input).
 */
@inline export function scatterRunAt(
    zeros: usize, p00: usize, p01: usize, p10: usize, p11: usize, ly: f32, lx: f32, c: i32,
    length: i32, scale: f32, src: usize): void {
  const w00: f32 = (1 - ly) * (1 - lx) * scale;
  const w01: f32 = (1 - ly) * lx * scale;
  const w10: f32 = ly * (1 - lx) * scale;
  const w11: f32 = ly * lx * scale;
  const full = fullLength(length);
  if (full > 0) scatterLanes<v128>(0, full, zeros, p00, p01, p10, p11, w00, w01, w10, w11, c, src);
  if (full < length) {
    scatterLanes<f32>(full, length, zeros, p00, p01, p10, p11, w00, w01, w10, w11, c, src);
  }
}

/** `scatterRunAt` of a packed located sample in the image at `image` (corners outside receive nothing). */
export function scatterRun(
    image: usize, corners: v128, weights: v128, c: i32, length: i32,
    scale: f32, src: usize): void {
  // 0 is never a corner's address: it stands for the corners outside.
  const addresses = cornerAddresses(image, 0, corners);
  scatterRunAt(
      0, <usize>i32x4.extract_lane(addresses, 0), <usize>i32x4.extract_lane(addresses, 1),
      <usize>i32x4.extract_lane(addresses, 2), <usize>i32x4.extract_lane(addresses, 3),
      f32x4.extract_lane(weights, 1), f32x4.extract_lane(weights, 3), c, length, scale, src);
}

/** `gatherRunAt` of a packed located sample in the image at `image`. */
export function gatherRun(
    image: usize, zeros: usize, corners: v128, weights: v128,
    derivative: v128, c: i32, length: i32, src: usize): v128 {
  const addresses = cornerAddresses(image, zeros, corners);
  return gatherRunAt(
      <usize>i32x4.extract_lane(addresses, 0), <usize>i32x4.extract_lane(addresses, 1),
      <usize>i32x4.extract_lane(addresses, 2), <usize>i32x4.extract_lane(addresses, 3),
      f32x4.extract_lane(weights, 1), f32x4.extract_lane(weights, 3),
      f32x4.extract_lane(derivative, 0), f32x4.extract_lane(derivative, 1),
      f32x4.extract_lane(derivative, 2), f32x4.extract_lane(derivative, 3), c, length, src);
}

/**
 * One stretch of `gatherRunAt`, in its lanes. The position derivatives are
 * summed per corner difference (a10 - a00, a11 - a01, a01 - a00, a11 - a10:
 * differences first, so a smooth input loses no precision) and weighted once
 * at the end: few values live across the loop (spilled registers cost more
 * than the extra sums).
 */
@inline function gatherLanes<T>(
    from: i32, to: i32, c: i32, p00: usize, p01: usize, p10: usize, p11: usize, ly: f32,
    lx: f32, y0: f32, y1: f32, x0: f32, x1: f32, src: usize, scale: f32, cols: usize): v128 {
  const u00 = f32x4.splat((1 - ly) * (1 - lx));
  const u01 = f32x4.splat((1 - ly) * lx);
  const u10 = f32x4.splat(ly * (1 - lx));
  const u11 = f32x4.splat(ly * lx);
  const m = f32x4.splat(scale);
  let value = f32x4.splat(0);
  let left = f32x4.splat(0);
  let right = f32x4.splat(0);
  let top = f32x4.splat(0);
  let bottom = f32x4.splat(0);
  for (let i = from; i < to; i += lanes<T>()) {
    const b = channelBytes(c, i);
    const g = loadLanes<T>(src + runBytes(i));
    const a00 = loadLanes<T>(p00 + b);
    const a01 = loadLanes<T>(p01 + b);
    const a10 = loadLanes<T>(p10 + b);
    const a11 = loadLanes<T>(p11 + b);
    const z = f32x4.add(
        f32x4.add(f32x4.mul(u00, a00), f32x4.mul(u01, a01)),
        f32x4.add(f32x4.mul(u10, a10), f32x4.mul(u11, a11)));
    if (cols != 0) {
      storeLanes<T>(cols + runBytes(i), f32x4.mul(z, m));
    }
    value = f32x4.add(value, f32x4.mul(g, z));
    left = f32x4.add(left, f32x4.mul(g, f32x4.sub(a10, a00)));
    right = f32x4.add(right, f32x4.mul(g, f32x4.sub(a11, a01)));
    top = f32x4.add(top, f32x4.mul(g, f32x4.sub(a01, a00)));
    bottom = f32x4.add(bottom, f32x4.mul(g, f32x4.sub(a11, a10)));
  }
  // dZ/dy = x0 (a10 - a00) + x1 (a11 - a01); dZ/dx = y0 (a01 - a00) + y1 (a11 - a10).
  const gradY = f32x4.add(f32x4.mul(f32x4.splat(x0), left), f32x4.mul(f32x4.splat(x1), right));
  const gradX = f32x4.add(f32x4.mul(f32x4.splat(y0), top), f32x4.mul(f32x4.splat(y1), bottom));
  // The three sums at once, by shuffles: (Σ gradY, Σ gradX, Σ value, Σ value).
  const halves = f32x4.add(
      v128.shuffle<f32>(gradY, gradX, 0, 1, 4, 5), v128.shuffle<f32>(gradY, gradX, 2, 3, 6, 7));
  const values = f32x4.add(value, v128.shuffle<f32>(value, value, 2, 3, 0, 1));
  return f32x4.add(
      v128.shuffle<f32>(halves, values, 0, 2, 4, 6), v128.shuffle<f32>(halves, values, 1, 3, 5, 7));
}

/**
 * `Σ src[i] Z`, `Σ src[i] dZ/dy` and `Σ src[i] dZ/dx` over channels `c + i`,
 * from the corners' byte addresses, the fractions and the derivative weights
 * `(y0, y1, x0, x1)`, as f32 lanes `GATHER_Y`, `GATHER_X`, `GATHER_VALUE`
 * (the offset gradient's pair first: one 64-bit store). When `cols` is not
 * 0, the same pass over the corners also writes `scale * Z` there (the DCN
 * input gradients' walk: the columns the filter gradient needs).
 */
@inline export function gatherRunAt(
    p00: usize, p01: usize, p10: usize, p11: usize, ly: f32, lx: f32, y0: f32, y1: f32,
    x0: f32, x1: f32, c: i32, length: i32, src: usize, scale: f32 = 1, cols: usize = 0): v128 {
  // Each stretch only where it has channels: its set-up and sums cost as
  // much as a few lanes (runs of 4 to 16 channels are common).
  const full = fullLength(length);
  let sums = f32x4.splat(0);
  if (full > 0) {
    sums = gatherLanes<v128>(
        0, full, c, p00, p01, p10, p11, ly, lx, y0, y1, x0, x1, src, scale, cols);
  }
  if (full < length) {
    sums = f32x4.add(sums, gatherLanes<f32>(
        full, length, c, p00, p01, p10, p11, ly, lx, y0, y1, x0, x1, src, scale, cols));
  }
  return sums;
}

/** Lanes of `gatherRun`'s sums. */
export const GATHER_Y: u8 = 0;
export const GATHER_X: u8 = 1;
export const GATHER_VALUE: u8 = 2;

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
