/**
 * The sampling passes of DCNv1/v2 (deform_conv_sampling.ts) on the tfjs wasm
 * heap, as src/kernels/reference/deform_sampling.ts computes them. Every
 * argument named like a tensor is the byte address of its data (`mask` 0 when
 * absent); `zeros` is a zero-filled pixel (`channels` floats) standing in
 * for corners outside the input. Call `setGeometry` first.
 *
 * A pass handles output positions `[rowStart, rowStart + rowCount)`; a
 * sample is one (row, offset group, tap), at index
 * `(p * offsetGroups + g) * kernelSize + tap` of `mask` (and twice that of
 * `offset`, Δy then Δx).
 */
import {beginRow, channelsPerOffsetGroup, columnAddress, filterHeight, filterWidth, kernelSize, offsetGroups, rowImage, runLength, tapX, tapY} from './geometry';
import {element} from './lanes';
import {gatherRun, locate, sampleRun, scatterRun, sumGradX, sumGradY, sumValue} from './sampler_z';

/** Zero-fills `bytes` bytes at `at`. */
export function fillZero(at: usize, bytes: usize): void {
  memory.fill(at, 0, bytes);
}

@inline function maskAt(mask: usize, sample: i32): f32 {
  return mask == 0 ? 1 : load<f32>(element(mask, sample));
}

/** Locates tap `(i, j)` of the current row for `sample`. */
@inline function locateTap(
    offset: usize, sample: i32, i: i32, j: i32, zeros: usize): bool {
  const at = element(offset, 2 * sample);
  return locate(
      tapY(i, load<f32>(at)), tapX(j, load<f32>(at, 4)), rowImage, zeros);
}

/** Deformable im2col: every entry of the columns `[G, rowCount, K * C/G]`. */
export function im2col(
    x: usize, offset: usize, mask: usize, cols: usize, zeros: usize,
    rowStart: i32, rowCount: i32): void {
  for (let row = 0; row < rowCount; row++) {
    const p = rowStart + row;
    beginRow(x, p);
    for (let g = 0; g < offsetGroups; g++) {
      const firstChannel = g * channelsPerOffsetGroup;
      for (let i = 0, tap = 0; i < filterHeight; i++) {
        for (let j = 0; j < filterWidth; j++, tap++) {
          const sample = (p * offsetGroups + g) * kernelSize + tap;
          // Outside the window the corners are the zero pixel, and a zero
          // scale keeps a non-finite mask from turning 0 into NaN.
          const inside = locateTap(offset, sample, i, j, zeros);
          const scale = inside ? maskAt(mask, sample) : 0;
          for (let c = firstChannel; c < firstChannel + channelsPerOffsetGroup;
               c += runLength) {
            sampleRun(
                c, runLength, scale, columnAddress(cols, rowCount, row, tap, c));
          }
        }
      }
    }
  }
}

/** Transpose of `im2col` (a scatter): adds the columns `dCols` into `dx`. */
export function col2im(
    dCols: usize, offset: usize, mask: usize, dx: usize, zeros: usize,
    rowStart: i32, rowCount: i32): void {
  for (let row = 0; row < rowCount; row++) {
    const p = rowStart + row;
    beginRow(dx, p);
    for (let g = 0; g < offsetGroups; g++) {
      const firstChannel = g * channelsPerOffsetGroup;
      for (let i = 0, tap = 0; i < filterHeight; i++) {
        for (let j = 0; j < filterWidth; j++, tap++) {
          const sample = (p * offsetGroups + g) * kernelSize + tap;
          if (!locateTap(offset, sample, i, j, zeros)) {
            continue;
          }
          const scale = maskAt(mask, sample);
          for (let c = firstChannel; c < firstChannel + channelsPerOffsetGroup;
               c += runLength) {
            scatterRun(
                c, runLength, scale,
                columnAddress(dCols, rowCount, row, tap, c));
          }
        }
      }
    }
  }
}

/**
 * Offset and mask gradients (gathers): every entry of `dOffset`
 * `[rowCount, 2 D K]` and, when `mask` is given, `dMask` `[rowCount, D K]`;
 * samples outside the window get 0.
 */
export function coordGrad(
    dCols: usize, x: usize, offset: usize, mask: usize, dOffset: usize,
    dMask: usize, zeros: usize, rowStart: i32, rowCount: i32): void {
  const firstSample = rowStart * offsetGroups * kernelSize;
  for (let row = 0; row < rowCount; row++) {
    const p = rowStart + row;
    beginRow(x, p);
    for (let g = 0; g < offsetGroups; g++) {
      const firstChannel = g * channelsPerOffsetGroup;
      for (let i = 0, tap = 0; i < filterHeight; i++) {
        for (let j = 0; j < filterWidth; j++, tap++) {
          const sample = (p * offsetGroups + g) * kernelSize + tap;
          let value: f32 = 0;
          let gradY: f32 = 0;
          let gradX: f32 = 0;
          if (locateTap(offset, sample, i, j, zeros)) {
            for (let c = firstChannel;
                 c < firstChannel + channelsPerOffsetGroup; c += runLength) {
              gatherRun(
                  c, runLength, columnAddress(dCols, rowCount, row, tap, c));
              value += sumValue;
              gradY += sumGradY;
              gradX += sumGradX;
            }
            gradY *= maskAt(mask, sample);
            gradX *= maskAt(mask, sample);
          }
          const out = sample - firstSample;
          store<f32>(element(dOffset, 2 * out), gradY);
          store<f32>(element(dOffset, 2 * out + 1), gradX);
          if (dMask != 0) {
            store<f32>(element(dMask, out), value);
          }
        }
      }
    }
  }
}
