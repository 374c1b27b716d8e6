/**
 * The RoI poolings' samplers (semantics.md §0.2, §0.3; as
 * src/kernels/reference/bilinear_a.ts and bilinear_p.ts): the position is
 * clamped to the image, so all four corners are inside; the runs of
 * bilinear_runs.ts then apply it to contiguous NHWC channels.
 */
import {setCorners, setDerivativeWeights} from './bilinear_runs';
import {channels, inHeight, inWidth} from './geometry';

@inline function pixel(image: usize, row: i32, column: i32): usize {
  return image + (<usize>((row * inWidth + column) * channels) << 2);
}

/** Sets the corners of rows `y0, y1` and columns `x0, x1` of the image at `image`. */
function setClampedCorners(
    image: usize, y0: i32, y1: i32, x0: i32, x1: i32, fy: f32, fx: f32): void {
  // No corner is skipped: 0 is never a pixel's address.
  setCorners(
      pixel(image, y0, x0), pixel(image, y0, x1), pixel(image, y1, x0),
      pixel(image, y1, x1), 0, fy, fx);
}

/** mmcv's clamp of one axis: the low corner, and the position (`v >= 0`). */
let axisLow: i32 = 0;
let axisHigh: i32 = 0;
let axisPosition: f64 = 0;

function clampAxis(v: f64, size: i32): void {
  const low = <i32>Math.trunc(v);
  if (low >= size - 1) {
    axisLow = axisHigh = size - 1;
    axisPosition = <f64>(size - 1);
  } else {
    axisLow = low;
    axisHigh = low + 1;
    axisPosition = v;
  }
}

/**
 * Sampler A (mmcv DeformRoIPool, RoIAlign): false (a sample of 0) outside
 * the closed window `-1 <= y <= H, -1 <= x <= W` or when not finite; inside,
 * the border is replicated. The position derivatives are mmcv's: the
 * unclamped position against the clamped corners.
 */
export function locateA(y: f64, x: f64, image: usize): bool {
  if (!(y >= -1 && y <= <f64>inHeight && x >= -1 && x <= <f64>inWidth)) {
    return false;
  }
  clampAxis(Math.max(y, 0), inHeight);
  const y0 = axisLow, y1 = axisHigh, fy = <f32>(axisPosition - y0);
  clampAxis(Math.max(x, 0), inWidth);
  const x0 = axisLow, x1 = axisHigh, fx = <f32>(axisPosition - x0);
  setClampedCorners(image, y0, y1, x0, x1, fy, fx);
  setDerivativeWeights(
      <f32>(<f64>y1 - y), <f32>(y - <f64>y0), <f32>(<f64>x1 - x), <f32>(x - <f64>x0));
  return true;
}

/**
 * Sampler P (DCNv1's deformable PS RoI pooling): false (the sample skipped)
 * outside `[-0.5, size - 0.5]` or when not finite; inside, clamped to the
 * image and interpolated between floor and ceil.
 */
export function locateP(y: f64, x: f64, image: usize): bool {
  if (!(x >= -0.5 && x <= <f64>inWidth - 0.5 && y >= -0.5 && y <= <f64>inHeight - 0.5)) {
    return false;
  }
  const cy = Math.min(Math.max(y, 0), <f64>(inHeight - 1));
  const cx = Math.min(Math.max(x, 0), <f64>(inWidth - 1));
  const fy = Math.floor(cy);
  const fx = Math.floor(cx);
  setClampedCorners(
      image, <i32>fy, <i32>Math.ceil(cy), <i32>fx, <i32>Math.ceil(cx),
      <f32>(cy - fy), <f32>(cx - fx));
  return true;
}
