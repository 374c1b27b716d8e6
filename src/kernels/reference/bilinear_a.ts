/**
 * Sampler A of docs/semantics.md §0.2 (mmcv DeformRoIPool, RoIAlign): 0 outside
 * the closed window `-1 <= y <= H`, `-1 <= x <= W`; inside, the position is
 * clamped to the image, so the border value is replicated over the last pixel.
 */
import {ClampedBilinear} from './clamped_bilinear';

export class BilinearA extends ClampedBilinear {
  /** Clamped corner coordinates, which mmcv's offset gradient uses. */
  y0 = 0;
  y1 = 0;
  x0 = 0;
  x1 = 0;

  /** False when the sample is 0 (outside the window, or not finite). */
  locate(y: number, x: number, base: number): boolean {
    if (!(y >= -1 && y <= this.height && x >= -1 && x <= this.width)) {
      return false;
    }
    [this.y0, this.y1, y] = clampAxis(Math.max(y, 0), this.height);
    [this.x0, this.x1, x] = clampAxis(Math.max(x, 0), this.width);
    this.ly = y - this.y0;
    this.lx = x - this.x0;
    this.setCorners(base, this.y0, this.y1, this.x0, this.x1);
    return true;
  }

  /**
   * mmcv's position derivatives: the unclamped position against the clamped
   * corners (docs/semantics.md §4.3: not the true derivative in the replicated
   * border zones; reproduced for compatibility).
   */
  gradX(data: Float32Array, c: number, y: number): number {
    return (
      (data[this.i11 + c] - data[this.i10 + c]) * (y - this.y0) +
      (data[this.i01 + c] - data[this.i00 + c]) * (this.y1 - y)
    );
  }

  gradY(data: Float32Array, c: number, x: number): number {
    return (
      (data[this.i11 + c] - data[this.i01 + c]) * (x - this.x0) +
      (data[this.i10 + c] - data[this.i00 + c]) * (this.x1 - x)
    );
  }
}

/** Low and high corner and the (possibly clamped) coordinate on one axis (coordinate >= 0). */
function clampAxis(v: number, size: number): [number, number, number] {
  const low = Math.trunc(v);
  return low >= size - 1 ? [size - 1, size - 1, size - 1] : [low, low + 1, v];
}
