/**
 * The convolution geometry of the current call (set by `setGeometry` before
 * each pass) and the walk over output positions shared by the passes. Module
 * globals are wasm globals, not linear memory: the module keeps nothing in
 * tfjs's heap.
 */

export let inHeight: i32 = 0;
export let inWidth: i32 = 0;
export let channels: i32 = 0;
let outHeight: i32 = 0;
let outWidth: i32 = 0;
export let filterHeight: i32 = 0;
export let filterWidth: i32 = 0;
let strideHeight: i32 = 0;
let strideWidth: i32 = 0;
let dilationHeight: i32 = 0;
let dilationWidth: i32 = 0;
let padTop: i32 = 0;
let padLeft: i32 = 0;
export let offsetGroups: i32 = 0;
export let kernelSize: i32 = 0;
export let channelsPerGroup: i32 = 0;
export let channelsPerOffsetGroup: i32 = 0;
/**
 * Channels of a run: a run lies in one group and one offset group, so it is
 * contiguous both in `x` and in the columns (the SIMD axis).
 */
export let runLength: i32 = 0;
/** DCNv3's kernel centre `floor(d (k - 1) / 2)`, around which its offset scale acts. */
let centreHeight: i32 = 0;
let centreWidth: i32 = 0;

function gcd(a: i32, b: i32): i32 {
  while (b != 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** Sets the input image's size alone (the RoI poolings have no window). */
export function setImage(inH: i32, inW: i32, inC: i32): void {
  inHeight = inH;
  inWidth = inW;
  channels = inC;
}

export function setGeometry(
    inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, kh: i32, kw: i32,
    strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, top: i32,
    left: i32, groups: i32, deformGroups: i32): void {
  setImage(inH, inW, inC);
  outHeight = outH;
  outWidth = outW;
  filterHeight = kh;
  filterWidth = kw;
  strideHeight = strideH;
  strideWidth = strideW;
  dilationHeight = dilationH;
  dilationWidth = dilationW;
  padTop = top;
  padLeft = left;
  offsetGroups = deformGroups;
  kernelSize = kh * kw;
  channelsPerGroup = inC / groups;
  channelsPerOffsetGroup = inC / deformGroups;
  runLength = gcd(channelsPerGroup, channelsPerOffsetGroup);
  centreHeight = dilationH * (kh - 1) / 2;
  centreWidth = dilationW * (kw - 1) / 2;
}

/** Byte address of the current row's image in `x`, and its tap (0, 0) before offsets. */
export let rowImage: usize = 0;
let rowOriginY: i32 = 0;
let rowOriginX: i32 = 0;

/** Makes output position `p` (flattened `(n, oh, ow)`) the current row. */
export function beginRow(x: usize, p: i32): void {
  const perImage = outHeight * outWidth;
  const n = p / perImage;
  const oh = (p - n * perImage) / outWidth;
  const ow = p - n * perImage - oh * outWidth;
  rowImage = x + ((<usize>n * <usize>(inHeight * inWidth * channels)) << 2);
  rowOriginY = oh * strideHeight - padTop;
  rowOriginX = ow * strideWidth - padLeft;
}

/** Input row of tap row `i` (column of tap column `j`) of the current row, before offsets. */
@inline export function tapRow(i: i32): i32 {
  return rowOriginY + i * dilationHeight;
}

@inline export function tapColumn(j: i32): i32 {
  return rowOriginX + j * dilationWidth;
}

/** Byte address of input pixel `(row, column)` of the current row's image, or 0 outside the input. */
export function inputPixel(row: i32, column: i32): usize {
  if (row < 0 || row >= inHeight || column < 0 || column >= inWidth) {
    return 0;
  }
  return rowImage + (<usize>((row * inWidth + column) * channels) << 2);
}

/** Flattened output position of `(n, oh, ow)`. */
@inline export function outputPosition(n: i32, oh: i32, ow: i32): i32 {
  return (n * outHeight + oh) * outWidth + ow;
}

/** Sample position of tap `(i, j)` of the current row, in f64 as the reference computes it. */
@inline export function tapY(i: i32, dy: f32): f64 {
  return <f64>tapRow(i) + <f64>dy;
}

@inline export function tapX(j: i32, dx: f32): f64 {
  return <f64>tapColumn(j) + <f64>dx;
}

/**
 * The output row whose tap row `i` lands on input row `y` (column of tap
 * column `j` on input column `x`), or -1 when the strides allow none.
 */
export function outputRowOf(y: i32, i: i32): i32 {
  return outputIndexOf(y + padTop - i * dilationHeight, strideHeight, outHeight);
}

export function outputColumnOf(x: i32, j: i32): i32 {
  return outputIndexOf(x + padLeft - j * dilationWidth, strideWidth, outWidth);
}

@inline function outputIndexOf(span: i32, stride: i32, extent: i32): i32 {
  const index = span / stride;
  return span >= 0 && span == index * stride && index < extent ? index : -1;
}

/** DCNv3's kernel row `b` (column `a`) relative to the kernel centre, before its offset scale. */
@inline export function centredTapY(b: i32): i32 {
  return b * dilationHeight - centreHeight;
}

@inline export function centredTapX(a: i32): i32 {
  return a * dilationWidth - centreWidth;
}

/** DCNv3's kernel centre in the input for the current row. */
@inline export function rowCentreY(): i32 {
  return rowOriginY + centreHeight;
}

@inline export function rowCentreX(): i32 {
  return rowOriginX + centreWidth;
}

/**
 * DCNv3's sample position of kernel row `b` (column `a`) of the current row:
 * the grid scaled by `scale` around the kernel centre, plus the scaled offset,
 * in f64 as the reference computes it.
 */
@inline export function scaledTapY(b: i32, scale: f64, dy: f32): f64 {
  return <f64>rowCentreY() + scale * (<f64>centredTapY(b) + <f64>dy);
}

@inline export function scaledTapX(a: i32, scale: f64, dx: f32): f64 {
  return <f64>rowCentreX() + scale * (<f64>centredTapX(a) + <f64>dx);
}

/** Byte address in the columns `[G, rowCount, K * C/G]` of channel `c` of tap `tap` at chunk row `row`. */
@inline export function columnAddress(
    cols: usize, rowCount: i32, row: i32, tap: i32, c: i32): usize {
  const q = c / channelsPerGroup;
  const index = (<usize>(q * rowCount + row) * <usize>kernelSize + <usize>tap) *
          <usize>channelsPerGroup +
      <usize>(c - q * channelsPerGroup);
  return cols + (index << 2);
}
