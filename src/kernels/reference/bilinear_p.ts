/**
 * Sampler P of docs/semantics.md §0.3 (DCNv1's deformable PS RoI pooling): a
 * sample outside `[-0.5, size - 0.5]` is skipped (not counted); inside, the
 * position is clamped to the image and interpolated between its floor and
 * ceil, so the derivative vanishes at integers (as the peer's).
 */
import {ClampedBilinear} from './clamped_bilinear';

export class BilinearP extends ClampedBilinear {
  /** False when the sample is skipped (outside, or not finite). */
  locate(y: number, x: number, base: number): boolean {
    if (!(x >= -0.5 && x <= this.width - 0.5 && y >= -0.5 && y <= this.height - 0.5)) {
      return false;
    }
    y = Math.min(Math.max(y, 0), this.height - 1);
    x = Math.min(Math.max(x, 0), this.width - 1);
    this.ly = y - Math.floor(y);
    this.lx = x - Math.floor(x);
    this.setCorners(base, Math.floor(y), Math.ceil(y), Math.floor(x), Math.ceil(x));
    return true;
  }

  gradX(data: Float32Array, c: number): number {
    return (
      (1 - this.ly) * (data[this.i01 + c] - data[this.i00 + c]) +
      this.ly * (data[this.i11 + c] - data[this.i10 + c])
    );
  }

  gradY(data: Float32Array, c: number): number {
    return (
      (1 - this.lx) * (data[this.i10 + c] - data[this.i00 + c]) +
      this.lx * (data[this.i11 + c] - data[this.i01 + c])
    );
  }
}
