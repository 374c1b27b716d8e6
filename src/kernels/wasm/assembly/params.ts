/**
 * The parameter blocks of the passes: i32 words that JS writes into the heap
 * (src/kernels/wasm/wasm_params.ts, same field order) and whose byte address
 * every pass takes as its first argument. The module only reads them; no
 * pass keeps anything between calls (no module globals hold data), so passes
 * may run concurrently on one memory, each on its own rows.
 *
 * Each class is a view (`changetype<Window>(params)`) of a block; `Window`,
 * `RoiPool` and `PsRoiPool` begin with `Image`'s fields. The passes copy the
 * fields their loops use into locals once per call.
 */

/** Words 0-3 of every block: the input `[batchSize, height, width, channels]` (NHWC). */
@unmanaged export class Image {
  batchSize: i32;
  height: i32;
  width: i32;
  channels: i32;

  /** Bytes of one pixel (all its channels). */
  @inline get pixelBytes(): i32 {
    return this.channels << 2;
  }

  /** Bytes of one input row. */
  @inline get rowBytes(): i32 {
    return (this.width * this.channels) << 2;
  }

  /** Bytes of one image of the batch. */
  @inline get imageBytes(): usize {
    return <usize>(this.height * this.width * this.channels) << 2;
  }
}

/**
 * A sliding window's geometry (words 4-15 after `Image`), shared by DCNv1/v2,
 * DCNv3, involution and the depthwise-convolution gradients.
 */
@unmanaged export class Window extends Image {
  outHeight: i32;
  outWidth: i32;
  filterHeight: i32;
  filterWidth: i32;
  strideHeight: i32;
  strideWidth: i32;
  dilationHeight: i32;
  dilationWidth: i32;
  padTop: i32;
  padLeft: i32;
  groups: i32;
  offsetGroups: i32;

  /** Taps of the window, `kh * kw`. */
  @inline get taps(): i32 {
    return this.filterHeight * this.filterWidth;
  }

  @inline get channelsPerGroup(): i32 {
    return this.channels / this.groups;
  }

  @inline get channelsPerOffsetGroup(): i32 {
    return this.channels / this.offsetGroups;
  }

  /** Output positions (rows of the passes), `batchSize * outHeight * outWidth`. */
  @inline get positions(): i32 {
    return this.batchSize * this.outHeight * this.outWidth;
  }

  /** DCNv3's kernel centre `floor(d (k - 1) / 2)`, around which its offset scale acts. */
  @inline get centreHeight(): i32 {
    return this.dilationHeight * (this.filterHeight - 1) / 2;
  }

  @inline get centreWidth(): i32 {
    return this.dilationWidth * (this.filterWidth - 1) / 2;
  }
}

/** mmcv's DeformRoIPool (words 4-6 after `Image`); `spatialScale` and `gamma` are f64 arguments. */
@unmanaged export class RoiPool extends Image {
  pooledHeight: i32;
  pooledWidth: i32;
  samplingRatio: i32;
}

/** DCNv1's deformable PS RoI pooling (words 4-11 after `Image`); `spatialScale` and `transStd` are f64 arguments. */
@unmanaged export class PsRoiPool extends Image {
  outputDim: i32;
  groupSize: i32;
  pooledHeight: i32;
  pooledWidth: i32;
  partHeight: i32;
  partWidth: i32;
  samplesPerPart: i32;
  classes: i32;
}

/** Kinds of block, for `paramWords`. */
const WINDOW = 0;
const ROI_POOL = 1;
const PS_ROI_POOL = 2;

/** Words of each kind of block (0 window, 1 RoI pool, 2 PS RoI pool): JS checks its layouts against them. */
export function paramWords(kind: i32): i32 {
  const bytes = kind == WINDOW ? offsetof<Window>() :
      kind == ROI_POOL ? offsetof<RoiPool>() :
      kind == PS_ROI_POOL ? offsetof<PsRoiPool>() : 0;
  return <i32>(bytes >> 2);
}

function gcd(a: i32, b: i32): i32 {
  while (b != 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/**
 * Channels of a run: a run lies in one group and one offset group, so it is
 * contiguous both in `x` and in the columns (the SIMD axis).
 */
export function runLength(w: Window): i32 {
  return gcd(w.channelsPerGroup, w.channelsPerOffsetGroup);
}

/** Byte address of input pixel `(row, column)` of `image` (`height x width x channels`), or 0 outside the input. */
@inline export function inputPixel(
    height: i32, width: i32, channels: i32, image: usize, row: i32, column: i32): usize {
  return row < 0 || row >= height || column < 0 || column >= width ?
      0 : image + (<usize>((row * width + column) * channels) << 2);
}

/** Flattened output position of `(n, oh, ow)`. */
@inline export function outputPosition(w: Window, n: i32, oh: i32, ow: i32): i32 {
  return (n * w.outHeight + oh) * w.outWidth + ow;
}

/**
 * The output row whose tap row `i` lands on input row `y` (column of tap
 * column `j` on input column `x`), or -1 when the strides allow none.
 */
@inline export function outputRowOf(w: Window, y: i32, i: i32): i32 {
  return outputIndexOf(y + w.padTop - i * w.dilationHeight, w.strideHeight, w.outHeight);
}

@inline export function outputColumnOf(w: Window, x: i32, j: i32): i32 {
  return outputIndexOf(x + w.padLeft - j * w.dilationWidth, w.strideWidth, w.outWidth);
}

@inline function outputIndexOf(span: i32, stride: i32, extent: i32): i32 {
  const index = span / stride;
  return span >= 0 && span == index * stride && index < extent ? index : -1;
}

/**
 * Where output position `p` (flattened `(n, oh, ow)`) reads: the byte
 * address of its image in the batch at `x`, and the input row (column) of
 * its tap (0, 0) before offsets.
 */
@inline export function positionImage(w: Window, x: usize, p: i32): usize {
  return x + <usize>(p / (w.outHeight * w.outWidth)) * w.imageBytes;
}

@inline export function positionTop(w: Window, p: i32): i32 {
  return (p % (w.outHeight * w.outWidth)) / w.outWidth * w.strideHeight - w.padTop;
}

@inline export function positionLeft(w: Window, p: i32): i32 {
  return p % w.outWidth * w.strideWidth - w.padLeft;
}
