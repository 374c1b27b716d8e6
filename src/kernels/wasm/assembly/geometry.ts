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
let channelsPerGroup: i32 = 0;
export let channelsPerOffsetGroup: i32 = 0;
/**
 * Channels of a run: a run lies in one group and one offset group, so it is
 * contiguous both in `x` and in the columns (the SIMD axis).
 */
export let runLength: i32 = 0;

function gcd(a: i32, b: i32): i32 {
  while (b != 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

export function setGeometry(
    inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, kh: i32, kw: i32,
    strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, top: i32,
    left: i32, groups: i32, deformGroups: i32): void {
  inHeight = inH;
  inWidth = inW;
  channels = inC;
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

/** Sample position of tap `(i, j)` of the current row, in f64 as the reference computes it. */
@inline export function tapY(i: i32, dy: f32): f64 {
  return <f64>(rowOriginY + i * dilationHeight) + <f64>dy;
}

@inline export function tapX(j: i32, dx: f32): f64 {
  return <f64>(rowOriginX + j * dilationWidth) + <f64>dx;
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
