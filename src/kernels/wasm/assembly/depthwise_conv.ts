/**
 * Gradients of tf.depthwiseConv2d, which tfjs-backend-wasm 4.x lacks, on the
 * tfjs wasm heap. `params` is a `Window` block (params.ts) with `x`'s
 * channels `C`; `dy` has `C * multiplier` channels and the filter is
 * `[kh, kw, C, multiplier]`, so output channel `o` reads input channel
 * `o / multiplier`. With multiplier 1 (the common case) the SIMD runs span
 * all channels; otherwise they span one input channel's multipliers.
 */
import {addProductRun, addScaledRun, dotRun, element} from './lanes';
import {inputPixel, outputColumnOf, outputPosition, outputRowOf, positionImage, positionLeft, positionTop, Window} from './params';

/**
 * Adds into `dFilter` (zero-filled by the caller), per tap and output
 * channel, `Σ dy · x` over the output positions `[rowStart, rowStart +
 * rowCount)` whose tap lies inside the input (the kernel gradient of
 * involution summed over positions), for taps (flattened `(i, j)`)
 * `[tapStart, tapStart + tapCount)` only: distinct tap ranges write distinct
 * rows of `dFilter`, so threads split it by taps (by channels, two threads
 * would share a cache line in every row).
 */
export function depthwiseBackpropFilter(
    params: usize, x: usize, dy: usize, dFilter: usize, multiplier: i32, tapStart: i32,
    tapCount: i32, rowStart: i32, rowCount: i32): void {
  const w = changetype<Window>(params);
  const channels = w.channels;
  const kw = w.filterWidth;
  const height = w.height;
  const width = w.width;
  const dilationHeight = w.dilationHeight;
  const dilationWidth = w.dilationWidth;
  const outChannels = channels * multiplier;
  for (let position = rowStart; position < rowStart + rowCount; position++) {
    const image = positionImage(w, x, position);
    const top = positionTop(w, position);
    const left = positionLeft(w, position);
    const grad = element(dy, position * outChannels);
    for (let tap = tapStart; tap < tapStart + tapCount; tap++) {
      const i = tap / kw;
      const j = tap - i * kw;
      const pixel = inputPixel(
          height, width, channels, image, top + i * dilationHeight, left + j * dilationWidth);
      if (pixel == 0) continue;
      const dst = element(dFilter, tap * outChannels);
      if (multiplier == 1) {
        addProductRun(dst, grad, pixel, channels);
      } else {
        for (let c = 0; c < channels; c++) {
          const first = c * multiplier;
          addScaledRun(
              element(dst, first), element(grad, first),
              load<f32>(element(pixel, c)), multiplier);
        }
      }
    }
  }
}

/**
 * Every entry of `dx` `[batchSize, height, width, channels]` at input pixels
 * (flattened `(n, row, column)`) `[rowStart, rowStart + rowCount)`, as a
 * gather: each pixel sums `filter · dy` over the output positions whose taps
 * land on it.
 */
export function depthwiseBackpropInput(
    params: usize, filter: usize, dy: usize, dx: usize, multiplier: i32, rowStart: i32,
    rowCount: i32): void {
  const w = changetype<Window>(params);
  const channels = w.channels;
  const kh = w.filterHeight;
  const kw = w.filterWidth;
  const width = w.width;
  const outChannels = channels * multiplier;
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
        const grad = element(dy, outputPosition(w, n, oh, ow) * outChannels);
        const weights = element(filter, tap * outChannels);
        if (multiplier == 1) {
          addProductRun(out, weights, grad, channels);
        } else {
          for (let c = 0; c < channels; c++) {
            const first = c * multiplier;
            const sum = dotRun(element(weights, first), element(grad, first), multiplier);
            store<f32>(element(out, c), load<f32>(element(out, c)) + sum);
          }
        }
      }
    }
  }
}
