/**
 * The sampling passes of DCNv1/v2 (deform_conv_sampling.ts) on the tfjs wasm
 * heap, as src/kernels/reference/deform_sampling.ts computes them. `params`
 * is a `Window` block (params.ts); every argument named like a tensor is the
 * byte address of its data (`mask` 0 when absent); `zeros` is a zero-filled
 * pixel (`channels` floats) standing in for corners outside the input.
 *
 * A pass handles output positions `[rowStart, rowStart + rowCount)`; a
 * sample is one (row, offset group, tap), at index
 * `(p * offsetGroups + g) * taps + tap` of `mask` (and twice that of
 * `offset`, Δy then Δx). The three passes share one walk (`walkTaps`), each
 * a class whose inlined `tap` handles one sample.
 */
import {element} from './lanes';
import {positionImage, positionLeft, positionTop, runLength, Window} from './params';
import {cornerBase, gatherRunAt, GATHER_VALUE, insideZ, sampleRunAt, scatterRunAt} from './sampler_z';

/** Zero-fills `bytes` bytes at `at`. */
export function fillZero(at: usize, bytes: usize): void {
  memory.fill(at, 0, bytes);
}

@inline function maskAt(mask: usize, sample: i32): f32 {
  return mask == 0 ? 1 : load<f32>(element(mask, sample));
}

/**
 * Byte address in the columns `[G, columnRows, taps * C/G]` of channel `c`
 * (of group `q`) of tap `tap` at row `row` of the call (a call may fill a
 * part of the rows: `cols` then points at its first row of group 0).
 */
@inline function columnAddress(
    cols: usize, perGroup: i32, taps: i32, columnRows: i32, row: i32, tap: i32, c: i32,
    q: i32): usize {
  const index = (<usize>(q * columnRows + row) * <usize>taps + <usize>tap) * <usize>perGroup +
      <usize>(c - q * perGroup);
  return cols + (index << 2);
}

/**
 * The group of channel `c`, given the group `q` of the run before it: runs
 * divide the groups' channels, so the next one is in the same group or the
 * next. The walks are built twice, with groups and without (`grouped` a
 * constant in each inlined copy: with one group, the columns' addresses
 * need no group terms; measured 10-15 % faster im2col and backward walks
 * than a division per run).
 */
@inline function groupOf(c: i32, q: i32, perGroup: i32): i32 {
  return c - q * perGroup >= perGroup ? q + 1 : q;
}

@inline function isGrouped(w: Window): bool {
  return w.channelsPerGroup != w.channels;
}

/**
 * The walk the three passes share: every sample of the rows, located once
 * in the walked tensor (`x`, or `dx` for col2im: sampler Z's corners are
 * computed relative to the row's image, then placed in that tensor's image),
 * handed to `P`'s inlined `tap` (P is one of the pass classes below;
 * AssemblyScript has no closures, so the pass is a type argument and each
 * pass gets its own inlined copy of the walk). `tap` gets the zero pixel,
 * whether the sample is inside the window, its corners' addresses (the zero
 * pixel for those outside the input) and fractions, the mask, the sample's
 * index, its chunk row, the chunk's rows and its tap, the channels
 * `[from, to)` of its offset group and the group of channel `from`, whether
 * there are several groups (a constant: see `groupOf`), the run length, the channels per group
 * and the taps, the pass's own tensors `a` to `e`, and the index of the
 * chunk's first sample. (Measured: locating here, as scalars, is as fast as
 * the former per-pass loops; passing the sample packed in v128 values, or
 * as relative offsets resolved in `tap`, was 10-25% slower on im2col.)
 */
@inline function walkTaps<P>(
    w: Window, tensor: usize, offset: usize, mask: usize, zeros: usize, a: usize, b: usize,
    c: usize, d: usize, e: usize, columnRows: i32, rowStart: i32, rowCount: i32,
    grouped: bool): void {
  const offsetGroups = w.offsetGroups;
  const kh = w.filterHeight;
  const kw = w.filterWidth;
  const taps = kh * kw;
  const dilationHeight = w.dilationHeight;
  const dilationWidth = w.dilationWidth;
  const perGroup = w.channelsPerGroup;
  const perOffsetGroup = w.channelsPerOffsetGroup;
  const run = runLength(w);
  const height = w.height;
  const width = w.width;
  const channels = w.channels;
  const pixelBytes = w.pixelBytes;
  const rowBytes = w.rowBytes;
  for (let row = 0; row < rowCount; row++) {
    const p = rowStart + row;
    const image = positionImage(w, tensor, p);
    const originRow = positionTop(w, p);
    const originColumn = positionLeft(w, p);
    for (let g = 0; g < offsetGroups; g++) {
      const firstChannel = g * perOffsetGroup;
      const firstGroup = firstChannel / perGroup;
      for (let i = 0, tap = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++, tap++) {
          const sample = (p * offsetGroups + g) * taps + tap;
          const at = element(offset, 2 * sample);
          // In f64, as the reference computes positions.
          const y = <f64>(originRow + i * dilationHeight) + <f64>load<f32>(at);
          const x = <f64>(originColumn + j * dilationWidth) + <f64>load<f32>(at, 4);
          // Sampler Z: outside the window, or not finite, every corner is
          // the zero pixel and the fractions are 0.
          const inside = insideZ(height, width, y, x);
          let p00 = zeros;
          let p01 = zeros;
          let p10 = zeros;
          let p11 = zeros;
          let ly: f32 = 0;
          let lx: f32 = 0;
          if (inside) {
            const fy = Math.floor(y);
            const fx = Math.floor(x);
            const y0 = <i32>fy;
            const x0 = <i32>fx;
            const top = y0 >= 0;
            const bottom = y0 + 1 < height;
            const leftIn = x0 >= 0;
            const rightIn = x0 + 1 < width;
            // The corners relative to the image, then in the walked tensor.
            const corner = image + <usize>cornerBase(width, channels, y0, x0);
            const below = corner + <usize>rowBytes;
            p00 = top && leftIn ? corner : zeros;
            p01 = top && rightIn ? corner + <usize>pixelBytes : zeros;
            p10 = bottom && leftIn ? below : zeros;
            p11 = bottom && rightIn ? below + <usize>pixelBytes : zeros;
            ly = <f32>(y - fy);
            lx = <f32>(x - fx);
          }
          changetype<P>(0).tap(
              zeros, inside, p00, p01, p10, p11, ly, lx,
              mask, sample, row,
              columnRows, tap, firstChannel, firstChannel + perOffsetGroup, firstGroup, grouped,
              run, perGroup, taps,
              a, b, c, d, e, rowStart * offsetGroups * taps);
        }
      }
    }
  }
}

/** Deformable im2col: `a` is the columns, every entry written. */
@final @unmanaged class Im2col {
  @inline tap(
      zeros: usize, inside: bool, p00: usize, p01: usize, p10: usize, p11: usize, ly: f32,
      lx: f32, mask: usize, sample: i32,
      row: i32, columnRows: i32, tap: i32, from: i32, to: i32, group: i32, grouped: bool,
      run: i32, perGroup: i32,
      taps: i32, cols: usize, b: usize, c: usize, d: usize, e: usize, firstSample: i32): void {
    // Outside the window the corners are the zero pixel, and a zero scale
    // keeps a non-finite mask from turning 0 into NaN.
    const scale = inside ? maskAt(mask, sample) : 0;
    for (let ch = from, q = group; ch < to; ch += run) {
      q = grouped ? groupOf(ch, q, perGroup) : 0;
      sampleRunAt(
          p00, p01, p10, p11, ly, lx, ch, run, scale,
          columnAddress(cols, perGroup, taps, columnRows, row, tap, ch, q));
    }
  }
}

/**
 * Transpose of im2col (a scatter): adds the columns `a` into the walked `dx`,
 * only channels `[b, c)` of it (disjoint channel ranges write disjoint
 * elements: threads split a scatter that way).
 */
@final @unmanaged class Col2im {
  @inline tap(
      zeros: usize, inside: bool, p00: usize, p01: usize, p10: usize, p11: usize, ly: f32,
      lx: f32, mask: usize, sample: i32,
      row: i32, columnRows: i32, tap: i32, from: i32, to: i32, group: i32, grouped: bool,
      run: i32, perGroup: i32,
      taps: i32, dCols: usize, channelStart: usize, channelEnd: usize, d: usize, e: usize,
      firstSample: i32): void {
    const lo = max(from, <i32>channelStart);
    const hi = min(to, <i32>channelEnd);
    if (!inside || lo >= hi) {
      return;
    }
    const scale = maskAt(mask, sample);
    // Runs cut at the range's ends: a part of a run stays in its group.
    for (let ch = lo; ch < hi; ) {
      const end = min(hi, from + ((ch - from) / run + 1) * run);
      scatterRunAt(
          zeros, p00, p01, p10, p11, ly, lx, ch, end - ch, scale,
          columnAddress(dCols, perGroup, taps, columnRows, row, tap, ch, ch / perGroup));
      ch = end;
    }
  }
}

/**
 * Offset and mask gradients of the columns' gradient `a`: into `b` (dOffset)
 * and `c` (dMask, 0 without a mask). Fused into the same walk when given
 * (else 0): `d`, the columns as im2col writes them (what the filter gradient
 * needs; equal to im2col's to rounding), and `e`, dx's distance from x
 * (dx's corners are x's moved by it), added into exactly as col2im adds, in
 * the same order. The sample is located once, each corner read once.
 */
@final @unmanaged class CoordGrad {
  @inline tap(
      zeros: usize, inside: bool, p00: usize, p01: usize, p10: usize, p11: usize, ly: f32,
      lx: f32, mask: usize, sample: i32,
      row: i32, columnRows: i32, tap: i32, from: i32, to: i32, group: i32, grouped: bool,
      run: i32, perGroup: i32,
      taps: i32, dCols: usize, dOffset: usize, dMask: usize, cols: usize, toDx: usize,
      firstSample: i32): void {
    let sums = f32x4.splat(0);
    const m = inside ? maskAt(mask, sample) : 0;
    // dx's corners; 0 for the zero pixel's, or without dx.
    const q00 = shifted(p00, zeros, toDx);
    const q01 = shifted(p01, zeros, toDx);
    const q10 = shifted(p10, zeros, toDx);
    const q11 = shifted(p11, zeros, toDx);
    for (let ch = from, q = group; ch < to; ch += run) {
      q = grouped ? groupOf(ch, q, perGroup) : 0;
      const gradient = columnAddress(dCols, perGroup, taps, columnRows, row, tap, ch, q);
      const columns: usize = cols == 0 ? 0 : cols + (gradient - dCols);
      if (inside) {
        sums = f32x4.add(sums, gatherRunAt(
            p00, p01, p10, p11, ly, lx, 1 - ly, ly, 1 - lx, lx, ch, run, gradient, m, columns));
        if (toDx != 0) {
          scatterRunAt(0, q00, q01, q10, q11, ly, lx, ch, run, m, gradient);
        }
      } else if (columns != 0) {
        // The corners are the zero pixel and the scale 0, as im2col's.
        sampleRunAt(p00, p01, p10, p11, ly, lx, ch, run, m, columns);
      }
    }
    // (gradY, gradX) times the mask; the value as it is. 0 outside the window.
    const scaled = f32x4.mul(sums, v128.shuffle<f32>(f32x4.splat(m), f32x4.splat(1), 0, 1, 4, 5));
    const out = sample - firstSample;
    // Lanes GATHER_Y and GATHER_X are the first 64-bit lane: dOffset's (Δy, Δx) pair.
    v128.store64_lane(element(dOffset, 2 * out), scaled, 0);
    if (dMask != 0) {
      v128.store32_lane(element(dMask, out), scaled, GATHER_VALUE);
    }
  }
}

/** A corner of x moved `by` bytes (into dx); 0 for the zero pixel, or `by` 0. */
@inline function shifted(corner: usize, zeros: usize, by: usize): usize {
  return corner == zeros || by == 0 ? 0 : corner + by;
}

/**
 * Deformable im2col: the rows' entries of the columns `[G, columnRows, taps *
 * C/G]` (all of them when the call has all `columnRows` rows).
 */
export function im2col(
    params: usize, x: usize, offset: usize, mask: usize, cols: usize, zeros: usize,
    columnRows: i32, rowStart: i32, rowCount: i32): void {
  const w = changetype<Window>(params);
  if (isGrouped(w)) {
    walkTaps<Im2col>(w, x, offset, mask, zeros, cols, 0, 0, 0, 0, columnRows, rowStart, rowCount,
        true);
  } else {
    walkTaps<Im2col>(w, x, offset, mask, zeros, cols, 0, 0, 0, 0, columnRows, rowStart, rowCount,
        false);
  }
}

/** Transpose of `im2col` (a scatter): adds the rows of `dCols` into channels `[channelStart, channelStart + channelCount)` of `dx`. */
export function col2im(
    params: usize, dCols: usize, offset: usize, mask: usize, dx: usize, zeros: usize,
    columnRows: i32, channelStart: i32, channelCount: i32, rowStart: i32, rowCount: i32): void {
  // The channel split's scatter finds each run's group by division: no copy per grouping.
  walkTaps<Col2im>(
      changetype<Window>(params), dx, offset, mask, zeros, dCols, <usize>channelStart,
      <usize>(channelStart + channelCount), 0, 0, columnRows, rowStart, rowCount, true);
}

/**
 * Offset and mask gradients (gathers) of the rows: every entry of `dOffset`
 * `[rowCount, 2 D taps]` and, when `mask` is given, `dMask` `[rowCount, D taps]`;
 * samples outside the window get 0. In the same walk, when given (else 0):
 * the rows' columns into `cols` (as `im2col`, same layout and `columnRows`)
 * and the rows' input gradient added into `dx` (as `col2im` over all
 * channels; threads split such a call only by whole images).
 */
export function coordGrad(
    params: usize, dCols: usize, x: usize, offset: usize, mask: usize, dOffset: usize,
    dMask: usize, cols: usize, dx: usize, zeros: usize, columnRows: i32, rowStart: i32,
    rowCount: i32): void {
  const w = changetype<Window>(params);
  const toDx: usize = dx == 0 ? 0 : dx - x;
  if (isGrouped(w)) {
    walkTaps<CoordGrad>(w, x, offset, mask, zeros, dCols, dOffset, dMask, cols, toDx, columnRows,
        rowStart, rowCount, true);
  } else {
    walkTaps<CoordGrad>(w, x, offset, mask, zeros, dCols, dOffset, dMask, cols, toDx, columnRows,
        rowStart, rowCount, false);
  }
}
