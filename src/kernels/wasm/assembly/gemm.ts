/**
 * A SIMD GEMM on the tfjs heap, `C = A · B (+ bias)`, so the
 * deformable convolutions' matrix products run on our pass threads (tfjs's
 * XNNPACK keeps to its own pool). B is packed once per product into panels
 * of 8 columns (`packPanels`); A is read in place, or for `Aᵀ · B` copied
 * block by block to a thread's scratch in the order its tiles read it.
 * Tiles of 4 rows x 8 columns keep their sums in registers over a block of
 * the depth (cache-sized); a row's result does not depend on how rows are
 * split between calls. Where the engine has relaxed SIMD, the sums are
 * fused multiply-adds.
 */
import {element} from './lanes';

/** Columns per packed panel: two lanes-of-four. */
const PANEL: i32 = 8;
/** Rows per register tile. */
const TILE_ROWS: i32 = 4;
/** Depth steps per pass over a tile: its A rows and B panel stay in cache. */
const DEPTH_BLOCK: i32 = 256;
/** Rows per pass over the depth blocks: their part of C stays in cache between blocks. */
const ROW_BLOCK: i32 = 64;

/** Bytes of `B` packed for `depth` x `columns` (`packPanels`). */
export function packedPanelBytes(depth: i32, columns: i32): i32 {
  return ((columns + PANEL - 1) / PANEL) * depth * PANEL * 4;
}

/**
 * Packs `B(k, n) = b[k * depthStride + n * columnStride]` (k < depth,
 * n < columns) into `packed`: panel `p` holds `(k, p * 8 + j)` at
 * `(p * depth + k) * 8 + j`, columns past the end zero.
 */
export function packPanels(
    b: usize, depthStride: i32, columnStride: i32, packed: usize, depth: i32, columns: i32): void {
  const panels = (columns + PANEL - 1) / PANEL;
  let out = packed;
  for (let p = 0; p < panels; p++) {
    const first = p * PANEL;
    if (columnStride == 1 && first + PANEL <= columns) {
      // A whole panel of a row-major B: each depth step is 8 contiguous floats.
      for (let k = 0; k < depth; k++, out += PANEL * 4) {
        const from = element(b, k * depthStride + first);
        v128.store(out, v128.load(from));
        v128.store(out, v128.load(from, 16), 16);
      }
      continue;
    }
    for (let k = 0; k < depth; k++) {
      for (let j = 0; j < PANEL; j++, out += 4) {
        const n = first + j;
        store<f32>(out, n < columns ? load<f32>(element(b, k * depthStride + n * columnStride)) : 0);
      }
    }
  }
}

/** The first `count` lanes at `at`, the others zero. */
@inline function loadUpTo(at: usize, count: i32): v128 {
  if (count >= 4) return v128.load(at);
  let v = f32x4.splat(0);
  if (count > 0) v = v128.load32_lane(at, v, 0);
  if (count > 1) v = v128.load32_lane(at + 4, v, 1);
  if (count > 2) v = v128.load32_lane(at + 8, v, 2);
  return v;
}

@inline function storeUpTo(at: usize, v: v128, count: i32): void {
  if (count >= 4) {
    v128.store(at, v);
    return;
  }
  if (count > 0) v128.store32_lane(at, v, 0);
  if (count > 1) v128.store32_lane(at + 4, v, 1);
  if (count > 2) v128.store32_lane(at + 8, v, 2);
}

/**
 * `c + a * b`, fused (one rounding) in the build with relaxed SIMD, for
 * engines that have it (deform_wasm_module.ts picks the build).
 */
@inline function multiplyAdd(a: v128, b: v128, c: v128): v128 {
  return ASC_FEATURE_RELAXED_SIMD ? f32x4.relaxed_madd(a, b, c) : f32x4.add(c, f32x4.mul(a, b));
}

/** Where a tile's sums start: zero, the bias, or C itself. */
const START_ZERO: i32 = 0;
const START_BIAS: i32 = 1;
const START_C: i32 = 2;

@inline function startLanes(mode: i32, c: usize, bias: usize, count: i32): v128 {
  if (mode == START_C) return loadUpTo(c, count);
  if (mode == START_BIAS) return loadUpTo(bias, count);
  return f32x4.splat(0);
}

/**
 * One tile of `rows` (4 or 1) x up to 8 columns over `steps` depth steps:
 * `a` at its first row and depth step, `panel` at the same depth step,
 * `c` / `bias` at the tile's first column, `width` its columns.
 */
@inline function tile(
    rows: i32, a: usize, rowBytes: usize, depthBytes: usize, panel: usize, steps: i32,
    c: usize, cRowBytes: usize, bias: usize, mode: i32, width: i32): void {
  const low = min(width, 4);
  const high = width - low;
  let c00 = startLanes(mode, c, bias, low);
  let c01 = startLanes(mode, c + 16, bias + 16, high);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  if (rows == TILE_ROWS) {
    c10 = startLanes(mode, c + cRowBytes, bias, low);
    c11 = startLanes(mode, c + cRowBytes + 16, bias + 16, high);
    c20 = startLanes(mode, c + 2 * cRowBytes, bias, low);
    c21 = startLanes(mode, c + 2 * cRowBytes + 16, bias + 16, high);
    c30 = startLanes(mode, c + 3 * cRowBytes, bias, low);
    c31 = startLanes(mode, c + 3 * cRowBytes + 16, bias + 16, high);
  }
  let pa = a;
  let pb = panel;
  for (let s = 0; s < steps; s++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const a0 = v128.load32_splat(pa);
    c00 = multiplyAdd(a0, b0, c00);
    c01 = multiplyAdd(a0, b1, c01);
    if (rows == TILE_ROWS) {
      const a1 = v128.load32_splat(pa + rowBytes);
      c10 = multiplyAdd(a1, b0, c10);
      c11 = multiplyAdd(a1, b1, c11);
      const a2 = v128.load32_splat(pa + 2 * rowBytes);
      c20 = multiplyAdd(a2, b0, c20);
      c21 = multiplyAdd(a2, b1, c21);
      const a3 = v128.load32_splat(pa + 3 * rowBytes);
      c30 = multiplyAdd(a3, b0, c30);
      c31 = multiplyAdd(a3, b1, c31);
    }
    pa += depthBytes;
    pb += PANEL * 4;
  }
  storeUpTo(c, c00, low);
  storeUpTo(c + 16, c01, high);
  if (rows == TILE_ROWS) {
    storeUpTo(c + cRowBytes, c10, low);
    storeUpTo(c + cRowBytes + 16, c11, high);
    storeUpTo(c + 2 * cRowBytes, c20, low);
    storeUpTo(c + 2 * cRowBytes + 16, c21, high);
    storeUpTo(c + 3 * cRowBytes, c30, low);
    storeUpTo(c + 3 * cRowBytes + 16, c31, high);
  }
}

/**
 * Tiles of `rows` rows from `start` while a whole tile fits before `end`;
 * returns the next row. `a` is at the block's row `first`, depth step `k0`;
 * row `r` is `tileBytes` per whole tile and `rowBytes` per row within one
 * from it.
 */
@inline function tileRows(
    rows: i32, start: i32, first: i32, end: i32, a: usize, rowBytes: usize, depthBytes: usize,
    tileBytes: usize, packed: usize, depth: i32, k0: i32, steps: i32, c: usize, columns: i32,
    bias: usize, mode: i32): i32 {
  const cRowBytes = <usize>columns << 2;
  let r = start;
  for (; r + rows <= end; r += rows) {
    const inBlock = r - first;
    const rowA = a + <usize>(inBlock / TILE_ROWS) * tileBytes + <usize>(inBlock % TILE_ROWS) * rowBytes;
    for (let n = 0; n < columns; n += PANEL) {
      const panel = packed + ((<usize>n * depth + k0 * PANEL) << 2);
      tile(rows, rowA, rowBytes, depthBytes, panel, steps,
          c + <usize>r * cRowBytes + (<usize>n << 2), cRowBytes, element(bias, n), mode,
          min(PANEL, columns - n));
    }
  }
  return r;
}

/** Bytes of a thread's scratch for a GEMM whose A is strided in depth (`gemm`). */
export function rowTileBytes(): i32 {
  return ROW_BLOCK * DEPTH_BLOCK * 4;
}

/**
 * Copies rows `[first, end)` x depth steps `[k0, k0 + steps)` of A to
 * `scratch` as tiles of 4 rows, each step's 4 values adjacent (a last
 * partial tile too), so the tiles read it in order.
 */
function packRowTiles(
    a: usize, rowStride: i32, depthStride: i32, first: i32, end: i32, k0: i32, steps: i32,
    scratch: usize): void {
  let out = scratch;
  for (let r = first; r < end; r += TILE_ROWS) {
    const rows = min(TILE_ROWS, end - r);
    for (let s = 0; s < steps; s++, out += TILE_ROWS * 4) {
      const from = element(a, r * rowStride + (k0 + s) * depthStride);
      if (rows == TILE_ROWS && rowStride == 1) {
        v128.store(out, v128.load(from));
        continue;
      }
      for (let j = 0; j < rows; j++) {
        store<f32>(out + (<usize>j << 2), load<f32>(from + ((<usize>(j * rowStride)) << 2)));
      }
    }
  }
}

/**
 * Rows `[rowStart, rowStart + rowCount)` of `C` (`[rows, columns]`, row-major):
 * `C(r, n) = bias[n] + Σ_k A(r, k) B(k, n)`, with `A(r, k) = a[r * rowStride +
 * k * depthStride]`, `B` packed by `packPanels`, `bias` 0 for none. With
 * `scratch` (`rowTileBytes`; 0 for none) each block of A is first copied
 * there in the order the tiles read it: for an A strided in depth (`Aᵀ`),
 * whose steps would otherwise each touch another page.
 */
export function gemm(
    a: usize, rowStride: i32, depthStride: i32, packed: usize, c: usize, columns: i32,
    bias: usize, depth: i32, scratch: usize, rowStart: i32, rowCount: i32): void {
  const rowBytes = <usize>rowStride << 2;
  const depthBytes = <usize>depthStride << 2;
  const last = rowStart + rowCount;
  for (let first = rowStart; first < last; first += ROW_BLOCK) {
    const end = min(last, first + ROW_BLOCK);
    for (let k0 = 0; k0 < depth || k0 == 0; k0 += DEPTH_BLOCK) {
      const steps = min(DEPTH_BLOCK, depth - k0);
      // Past the first depth block, the sums go on from C.
      const mode = k0 > 0 ? START_C : bias != 0 ? START_BIAS : START_ZERO;
      let block = a + <usize>first * rowBytes + <usize>k0 * depthBytes;
      let blockRowBytes = rowBytes, blockDepthBytes = depthBytes;
      let tileBytes = rowBytes * TILE_ROWS;
      if (scratch != 0) {
        packRowTiles(a, rowStride, depthStride, first, end, k0, steps, scratch);
        block = scratch;
        blockRowBytes = 4;
        blockDepthBytes = TILE_ROWS * 4;
        tileBytes = <usize>steps * TILE_ROWS * 4;
      }
      const next = tileRows(TILE_ROWS, first, first, end, block, blockRowBytes, blockDepthBytes,
          tileBytes, packed, depth, k0, steps, c, columns, bias, mode);
      tileRows(1, next, first, end, block, blockRowBytes, blockDepthBytes, tileBytes, packed, depth,
          k0, steps, c, columns, bias, mode);
    }
  }
}
