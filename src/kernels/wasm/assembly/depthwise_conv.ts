/**
 * Gradients of tf.depthwiseConv2d, which tfjs-backend-wasm 4.x lacks, on the
 * tfjs wasm heap. Call `setGeometry` first with `x`'s channels `C`; `dy` has
 * `C * multiplier` channels and the filter is `[kh, kw, C, multiplier]`, so
 * output channel `o` reads input channel `o / multiplier`. With multiplier 1
 * (the common case) the SIMD runs span all channels; otherwise they span one
 * input channel's multipliers.
 */
import {beginRow, channels, filterHeight, filterWidth, inHeight, inputPixel, inWidth, outputColumnOf, outputPosition, outputRowOf, tapColumn, tapRow} from './geometry';
import {addProductRun, addScaledRun, dotRun, element} from './lanes';

/**
 * Every entry of `dFilter`: per tap and output channel, `Σ dy · x` over the
 * output positions whose tap lies inside the input (the kernel gradient of
 * involution summed over positions).
 */
export function depthwiseBackpropFilter(
    x: usize, dy: usize, dFilter: usize, multiplier: i32, positions: i32): void {
  const outChannels = channels * multiplier;
  memory.fill(dFilter, 0, <usize>(filterHeight * filterWidth * outChannels) << 2);
  for (let position = 0; position < positions; position++) {
    beginRow(x, position);
    const grad = element(dy, position * outChannels);
    for (let i = 0, tap = 0; i < filterHeight; i++) {
      for (let j = 0; j < filterWidth; j++, tap++) {
        const pixel = inputPixel(tapRow(i), tapColumn(j));
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
}

/**
 * Every entry of `dx` `[batchSize, inHeight, inWidth, channels]`, as a
 * gather: each pixel sums `filter · dy` over the output positions whose taps
 * land on it.
 */
export function depthwiseBackpropInput(
    filter: usize, dy: usize, dx: usize, multiplier: i32, batchSize: i32): void {
  const outChannels = channels * multiplier;
  for (let n = 0, at = 0; n < batchSize; n++) {
    for (let row = 0; row < inHeight; row++) {
      for (let column = 0; column < inWidth; column++, at++) {
        const out = element(dx, at * channels);
        memory.fill(out, 0, <usize>channels << 2);
        for (let i = 0, tap = 0; i < filterHeight; i++) {
          const oh = outputRowOf(row, i);
          for (let j = 0; j < filterWidth; j++, tap++) {
            const ow = outputColumnOf(column, j);
            if (oh < 0 || ow < 0) continue;
            const grad = element(dy, outputPosition(n, oh, ow) * outChannels);
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
  }
}
