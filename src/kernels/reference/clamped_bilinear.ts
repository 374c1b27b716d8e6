/**
 * Interpolation between four corners that are always inside the image (the
 * RoI samplers clamp the position first), channels-last: a subclass's
 * `locate` sets the corners' element indices and the fractions once per
 * position, then every channel reads or scatters through them.
 */
export abstract class ClampedBilinear {
  /** Element indices of the corners' channel 0: `iRC` for row r, column c. */
  i00 = 0;
  i01 = 0;
  i10 = 0;
  i11 = 0;
  ly = 0;
  lx = 0;

  constructor(
    readonly height: number,
    readonly width: number,
    readonly channels: number,
  ) {}

  /** Sets the corners for rows `y0, y1` and columns `x0, x1` of the image at element `base`. */
  protected setCorners(base: number, y0: number, y1: number, x0: number, x1: number) {
    const {width, channels} = this;
    this.i00 = base + (y0 * width + x0) * channels;
    this.i01 = base + (y0 * width + x1) * channels;
    this.i10 = base + (y1 * width + x0) * channels;
    this.i11 = base + (y1 * width + x1) * channels;
  }

  value(data: Float32Array, c: number): number {
    const {ly, lx} = this;
    return (
      (1 - ly) * ((1 - lx) * data[this.i00 + c] + lx * data[this.i01 + c]) +
      ly * ((1 - lx) * data[this.i10 + c] + lx * data[this.i11 + c])
    );
  }

  /** Adds `amount` times each corner's weight (corners may coincide). */
  scatter(target: Float32Array, c: number, amount: number): void {
    const {ly, lx} = this;
    target[this.i00 + c] += (1 - ly) * (1 - lx) * amount;
    target[this.i01 + c] += (1 - ly) * lx * amount;
    target[this.i10 + c] += ly * (1 - lx) * amount;
    target[this.i11 + c] += ly * lx * amount;
  }
}
