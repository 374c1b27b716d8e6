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

export {accumulateRun, gatherRun, sampleRun, scatterRun, sumGradX, sumGradY, sumValue} from './bilinear_runs';

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
