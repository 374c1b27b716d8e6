/**
 * Sampler Z of docs/semantics.md §0.1 (DCNv1/v2/v3): bilinear interpolation of the
 * input zero-extended by one pixel, 0 outside the open window
 * `-1 < y < H, -1 < x < W`. Works on channels-last planes: `locate` finds the
 * four corners of a position once, then every channel reads them.
 */
export class BilinearZ {
  /** Element index of each corner's channel 0; -1 for a corner outside the input. */
  i00 = -1;
  i01 = -1;
  i10 = -1;
  i11 = -1;
  /** Fractional parts of the position. */
  ly = 0;
  lx = 0;

  constructor(
    readonly height: number,
    readonly width: number,
    readonly channels: number,
  ) {}

  /**
   * Locates `(y, x)` in the image starting at element `base`. Returns false
   * when the sample is 0 with zero derivatives: outside the window, or not
   * finite (the positive test rejects NaN too).
   */
  locate(y: number, x: number, base: number): boolean {
    const {height, width, channels} = this;
    if (!(y > -1 && y < height && x > -1 && x < width)) {
      return false;
    }
    const y0 = Math.floor(y);
    const x0 = Math.floor(x);
    this.ly = y - y0;
    this.lx = x - x0;
    const top = y0 >= 0;
    const bottom = y0 + 1 < height;
    const left = x0 >= 0;
    const right = x0 + 1 < width;
    const i = base + (y0 * width + x0) * channels;
    const below = width * channels;
    this.i00 = top && left ? i : -1;
    this.i01 = top && right ? i + channels : -1;
    this.i10 = bottom && left ? i + below : -1;
    this.i11 = bottom && right ? i + below + channels : -1;
    return true;
  }

  /** Interpolated value of channel `c`. */
  value(data: Float32Array, c: number): number {
    const {ly, lx} = this;
    return (
      (1 - ly) * ((1 - lx) * this.at(data, this.i00, c) + lx * this.at(data, this.i01, c)) +
      ly * ((1 - lx) * this.at(data, this.i10, c) + lx * this.at(data, this.i11, c))
    );
  }

  /** `dZ/dy` of channel `c`: forward difference toward `floor(y) + 1`. */
  gradY(data: Float32Array, c: number): number {
    const lx = this.lx;
    return (
      (1 - lx) * (this.at(data, this.i10, c) - this.at(data, this.i00, c)) +
      lx * (this.at(data, this.i11, c) - this.at(data, this.i01, c))
    );
  }

  /** `dZ/dx` of channel `c`. */
  gradX(data: Float32Array, c: number): number {
    const ly = this.ly;
    return (
      (1 - ly) * (this.at(data, this.i01, c) - this.at(data, this.i00, c)) +
      ly * (this.at(data, this.i11, c) - this.at(data, this.i10, c))
    );
  }

  /** Adds `amount` times each corner's weight to channel `c` of `target`. */
  scatter(target: Float32Array, c: number, amount: number): void {
    const {ly, lx} = this;
    if (this.i00 >= 0) target[this.i00 + c] += (1 - ly) * (1 - lx) * amount;
    if (this.i01 >= 0) target[this.i01 + c] += (1 - ly) * lx * amount;
    if (this.i10 >= 0) target[this.i10 + c] += ly * (1 - lx) * amount;
    if (this.i11 >= 0) target[this.i11 + c] += ly * lx * amount;
  }

  private at(data: Float32Array, corner: number, c: number): number {
    return corner < 0 ? 0 : data[corner + c];
  }
}
