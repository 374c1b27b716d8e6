/**
 * SIMD runs over contiguous f32 channels (NHWC pixels), shared by the
 * samplers and the integer-tap kernels. A run steps four lanes at a time with
 * `T = v128` and finishes the tail with `T = f32` (one lane, the others zero),
 * so each loop has one body.
 */

/** Byte address of f32 element `index` of the array at `at`. */
@inline export function element(at: usize, index: i32): usize {
  return at + (<usize>index << 2);
}

@inline export function lanes<T>(): i32 {
  return <i32>(sizeof<T>() >> 2);
}

@inline export function loadLanes<T>(at: usize): v128 {
  return sizeof<T>() == 16 ? v128.load(at) : v128.load32_zero(at);
}

@inline export function storeLanes<T>(at: usize, v: v128): void {
  if (sizeof<T>() == 16) {
    v128.store(at, v);
  } else {
    v128.store32_lane(at, v, 0);
  }
}

/** Channels of a run handled four at a time. */
@inline export function fullLength(length: i32): i32 {
  return length & ~3;
}

/** Byte offset of element `i` of a run. */
@inline export function runBytes(i: i32): usize {
  return <usize>i << 2;
}

@inline export function horizontalSum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) +
      (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

function addScaledLanes<T>(
    dst: usize, src: usize, weight: f32, from: i32, to: i32): void {
  const w = f32x4.splat(weight);
  for (let i = from; i < to; i += lanes<T>()) {
    const target = dst + runBytes(i);
    const add = f32x4.mul(w, loadLanes<T>(src + runBytes(i)));
    storeLanes<T>(target, f32x4.add(loadLanes<T>(target), add));
  }
}

/** `dst[i] += weight * src[i]` for `i < length`. */
export function addScaledRun(dst: usize, src: usize, weight: f32, length: i32): void {
  addScaledLanes<v128>(dst, src, weight, 0, fullLength(length));
  addScaledLanes<f32>(dst, src, weight, fullLength(length), length);
}

function addProductLanes<T>(
    dst: usize, a: usize, b: usize, from: i32, to: i32): void {
  for (let i = from; i < to; i += lanes<T>()) {
    const target = dst + runBytes(i);
    const product = f32x4.mul(loadLanes<T>(a + runBytes(i)), loadLanes<T>(b + runBytes(i)));
    storeLanes<T>(target, f32x4.add(loadLanes<T>(target), product));
  }
}

/** `dst[i] += a[i] * b[i]` for `i < length`. */
export function addProductRun(dst: usize, a: usize, b: usize, length: i32): void {
  addProductLanes<v128>(dst, a, b, 0, fullLength(length));
  addProductLanes<f32>(dst, a, b, fullLength(length), length);
}

function dotLanes<T>(a: usize, b: usize, from: i32, to: i32): v128 {
  let sum = f32x4.splat(0);
  for (let i = from; i < to; i += lanes<T>()) {
    sum = f32x4.add(
        sum, f32x4.mul(loadLanes<T>(a + runBytes(i)), loadLanes<T>(b + runBytes(i))));
  }
  return sum;
}

/** `Σ a[i] * b[i]` for `i < length`. */
export function dotRun(a: usize, b: usize, length: i32): f32 {
  return horizontalSum(dotLanes<v128>(a, b, 0, fullLength(length))) +
      horizontalSum(dotLanes<f32>(a, b, fullLength(length), length));
}

function scaleLanes<T>(dst: usize, scale: f32, from: i32, to: i32): void {
  const s = f32x4.splat(scale);
  for (let i = from; i < to; i += lanes<T>()) {
    storeLanes<T>(dst + runBytes(i), f32x4.mul(s, loadLanes<T>(dst + runBytes(i))));
  }
}

/** `dst[i] *= scale` for `i < length`. */
export function scaleRun(dst: usize, scale: f32, length: i32): void {
  scaleLanes<v128>(dst, scale, 0, fullLength(length));
  scaleLanes<f32>(dst, scale, fullLength(length), length);
}
