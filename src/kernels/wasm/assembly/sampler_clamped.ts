/**
 * The RoI poolings' samplers (docs/semantics.md §0.2, §0.3; as
 * src/kernels/reference/bilinear_a.ts and bilinear_p.ts): the position is
 * clamped to the image, so all four corners are inside. A position is
 * located once (corners relative to the image, weights, derivative weights:
 * layout in bilinear_runs.ts); the runs of bilinear_runs.ts then apply it to
 * contiguous NHWC channels of `x` or `dx`.
 */
import {cornersOf, weightsOf} from './bilinear_runs';

/** Byte offset of pixel `(row, column)` in an image `width` pixels wide. */
@inline export function pixelOffset(width: i32, channels: i32, row: i32, column: i32): i32 {
  return ((row * width + column) * channels) << 2;
}

@inline function clampedCorners(
    width: i32, channels: i32, y0: i32, y1: i32, x0: i32, x1: i32): v128 {
  return cornersOf(
      pixelOffset(width, channels, y0, x0), pixelOffset(width, channels, y0, x1),
      pixelOffset(width, channels, y1, x0), pixelOffset(width, channels, y1, x1));
}

/** mmcv's clamp of one axis (`v >= 0`): the low corner, the high one, the position. */
@inline function axisLow(v: f64, size: i32): i32 {
  return min(<i32>Math.trunc(v), size - 1);
}

@inline function axisHigh(v: f64, size: i32): i32 {
  const low = <i32>Math.trunc(v);
  return low >= size - 1 ? size - 1 : low + 1;
}

@inline function axisPosition(v: f64, size: i32): f64 {
  return <i32>Math.trunc(v) >= size - 1 ? <f64>(size - 1) : v;
}

/**
 * Sampler A (mmcv DeformRoIPool, RoIAlign): a sample of 0 outside the closed
 * window `-1 <= y <= H, -1 <= x <= W` or when not finite; inside, the border
 * is replicated. The position derivatives are mmcv's: the unclamped position
 * against the clamped corners. The other functions take positions inside.
 * The samplers take the image's extents as arguments (locals of the
 * caller), so an inlined sampler reads no memory.
 */
@inline export function insideA(height: i32, width: i32, y: f64, x: f64): bool {
  return y >= -1 && y <= <f64>height && x >= -1 && x <= <f64>width;
}

@inline export function cornersA(height: i32, width: i32, channels: i32, y: f64, x: f64): v128 {
  const cy = Math.max(y, 0);
  const cx = Math.max(x, 0);
  return clampedCorners(
      width, channels, axisLow(cy, height), axisHigh(cy, height), axisLow(cx, width),
      axisHigh(cx, width));
}

@inline export function weightsA(height: i32, width: i32, y: f64, x: f64): v128 {
  const cy = Math.max(y, 0);
  const cx = Math.max(x, 0);
  return weightsOf(
      <f32>(axisPosition(cy, height) - axisLow(cy, height)),
      <f32>(axisPosition(cx, width) - axisLow(cx, width)));
}

@inline export function derivativeA(height: i32, width: i32, y: f64, x: f64): v128 {
  const cy = Math.max(y, 0);
  const cx = Math.max(x, 0);
  const y0 = <f64>axisLow(cy, height);
  const y1 = <f64>axisHigh(cy, height);
  const x0 = <f64>axisLow(cx, width);
  const x1 = <f64>axisHigh(cx, width);
  return f32x4.replace_lane(
      f32x4.replace_lane(
          f32x4.replace_lane(f32x4.splat(<f32>(y1 - y)), 1, <f32>(y - y0)), 2,
          <f32>(x1 - x)),
      3, <f32>(x - x0));
}

/**
 * Sampler P (DCNv1's deformable PS RoI pooling): the sample is skipped
 * outside `[-0.5, size - 0.5]` or when not finite; inside, clamped to the
 * image and interpolated between floor and ceil. Its derivative weights are
 * its weights.
 */
@inline export function insideP(height: i32, width: i32, y: f64, x: f64): bool {
  return x >= -0.5 && x <= <f64>width - 0.5 && y >= -0.5 && y <= <f64>height - 0.5;
}

/** Sampler P's clamp of one coordinate to the image. */
@inline export function clampP(v: f64, size: i32): f64 {
  return Math.min(Math.max(v, 0), <f64>(size - 1));
}

@inline export function cornersP(height: i32, width: i32, channels: i32, y: f64, x: f64): v128 {
  const cy = clampP(y, height);
  const cx = clampP(x, width);
  return clampedCorners(
      width, channels, <i32>Math.floor(cy), <i32>Math.ceil(cy), <i32>Math.floor(cx),
      <i32>Math.ceil(cx));
}

@inline export function weightsP(height: i32, width: i32, y: f64, x: f64): v128 {
  const cy = clampP(y, height);
  const cx = clampP(x, width);
  return weightsOf(<f32>(cy - Math.floor(cy)), <f32>(cx - Math.floor(cx)));
}
