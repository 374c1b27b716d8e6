/**
 * Involution on the tfjs wasm heap, as src/kernels/reference/involution.ts
 * computes it: integer taps, so no sampler, only SIMD runs over each group's
 * contiguous NHWC channels (lanes.ts). Arguments named like tensors are byte
 * addresses; `params` is a `Window` block (params.ts) with `groups` as both
 * the groups and the offset groups. The kernel weight of (position, group g,
 * tap) is at index `(position * groups + g) * taps + tap`, taps row-major.
 */
import {addScaledRun, dotRun, element} from './lanes';
import {inputPixel, outputColumnOf, outputPosition, outputRowOf, positionImage, positionLeft, positionTop, Window} from './params';

@inline function weightAt(kernel: usize, groups: i32, taps: i32, position: i32, g: i32, tap: i32): f32 {
  return load<f32>(element(kernel, (position * groups + g) * taps + tap));
}

/** Every entry of `y` `[positions, channels]` at output positions `[rowStart, rowStart + rowCount)`. */
export function involutionForward(
    params: usize, x: usize, kernel: usize, y: usize, rowStart: i32, rowCount: i32): void {
  const w = changetype<Window>(params);
  const groups = w.groups;
  const channels = w.channels;
  const kh = w.filterHeight;
  const kw = w.filterWidth;
  const height = w.height;
  const width = w.width;
  const dilationHeight = w.dilationHeight;
  const dilationWidth = w.dilationWidth;
  const perGroup = w.channelsPerGroup;
  const taps = w.taps;
  for (let position = rowStart; position < rowStart + rowCount; position++) {
    const image = positionImage(w, x, position);
    const top = positionTop(w, position);
    const left = positionLeft(w, position);
    const out = element(y, position * channels);
    memory.fill(out, 0, <usize>channels << 2);
    for (let i = 0, tap = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, tap++) {
        const pixel = inputPixel(
            height, width, channels, image, top + i * dilationHeight, left + j * dilationWidth);
        if (pixel == 0) continue;
        for (let g = 0; g < groups; g++) {
          const first = g * perGroup;
          addScaledRun(
              element(out, first), element(pixel, first),
              weightAt(kernel, groups, taps, position, g, tap), perGroup);
        }
      }
    }
  }
}

/**
 * Every entry of `dKernel` at output positions `[rowStart, rowStart +
 * rowCount)` (0 for taps outside the input): per group, `dy · x` at the tap.
 */
export function involutionBackpropKernel(
    params: usize, x: usize, dy: usize, dKernel: usize, rowStart: i32, rowCount: i32): void {
  const w = changetype<Window>(params);
  const groups = w.groups;
  const channels = w.channels;
  const kh = w.filterHeight;
  const kw = w.filterWidth;
  const height = w.height;
  const width = w.width;
  const dilationHeight = w.dilationHeight;
  const dilationWidth = w.dilationWidth;
  const perGroup = w.channelsPerGroup;
  const taps = w.taps;
  for (let position = rowStart; position < rowStart + rowCount; position++) {
    const image = positionImage(w, x, position);
    const top = positionTop(w, position);
    const left = positionLeft(w, position);
    const grad = element(dy, position * channels);
    for (let i = 0, tap = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, tap++) {
        const pixel = inputPixel(
            height, width, channels, image, top + i * dilationHeight, left + j * dilationWidth);
        for (let g = 0; g < groups; g++) {
          const first = g * perGroup;
          const value = pixel == 0 ? <f32>0 :
              dotRun(element(grad, first), element(pixel, first), perGroup);
          store<f32>(element(dKernel, (position * groups + g) * taps + tap), value);
        }
      }
    }
  }
}

/**
 * Every entry of `dx` `[batchSize, height, width, channels]` at input pixels
 * (flattened `(n, row, column)`) `[rowStart, rowStart + rowCount)`, as a
 * gather: each pixel sums `kernel · dy` over the output positions whose taps
 * land on it.
 */
export function involutionBackpropInput(
    params: usize, kernel: usize, dy: usize, dx: usize, rowStart: i32, rowCount: i32): void {
  const w = changetype<Window>(params);
  const groups = w.groups;
  const channels = w.channels;
  const kh = w.filterHeight;
  const kw = w.filterWidth;
  const width = w.width;
  const perGroup = w.channelsPerGroup;
  const taps = w.taps;
  const perImage = w.height * width;
  for (let at = rowStart; at < rowStart + rowCount; at++) {
    const n = at / perImage;
    const row = (at - n * perImage) / width;
    const column = at - n * perImage - row * width;
    const out = element(dx, at * channels);
    memory.fill(out, 0, <usize>channels << 2);
    for (let i = 0, tap = 0; i < kh; i++) {
      const oh = outputRowOf(w, row, i);
      for (let j = 0; j < kw; j++, tap++) {
        const ow = outputColumnOf(w, column, j);
        if (oh < 0 || ow < 0) continue;
        const position = outputPosition(w, n, oh, ow);
        const grad = element(dy, position * channels);
        for (let g = 0; g < groups; g++) {
          const first = g * perGroup;
          addScaledRun(
              element(out, first), element(grad, first),
              weightAt(kernel, groups, taps, position, g, tap), perGroup);
        }
      }
    }
  }
}
