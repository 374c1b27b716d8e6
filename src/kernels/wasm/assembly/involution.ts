/**
 * Involution on the tfjs wasm heap, as src/kernels/reference/involution.ts
 * computes it: integer taps, so no sampler, only SIMD runs over each group's
 * contiguous NHWC channels (lanes.ts). Arguments named like tensors are byte
 * addresses. Call `setGeometry` first with `groups` as both the groups and
 * the offset groups. The kernel weight of (position, group g, tap) is at
 * index `(position * groups + g) * kernelSize + tap`, taps row-major.
 */
import {beginRow, channels, channelsPerGroup, filterHeight, filterWidth, inHeight, inputPixel, inWidth, kernelSize, outputColumnOf, outputPosition, outputRowOf, tapColumn, tapRow} from './geometry';
import {addScaledRun, dotRun, element} from './lanes';

@inline function groupCount(): i32 {
  return channels / channelsPerGroup;
}

@inline function weightAt(kernel: usize, position: i32, g: i32, tap: i32): f32 {
  return load<f32>(element(kernel, (position * groupCount() + g) * kernelSize + tap));
}

/** Every entry of `y` `[positions, channels]`. */
export function involutionForward(
    x: usize, kernel: usize, y: usize, positions: i32): void {
  const groups = groupCount();
  for (let position = 0; position < positions; position++) {
    beginRow(x, position);
    const out = element(y, position * channels);
    memory.fill(out, 0, <usize>channels << 2);
    for (let i = 0, tap = 0; i < filterHeight; i++) {
      for (let j = 0; j < filterWidth; j++, tap++) {
        const pixel = inputPixel(tapRow(i), tapColumn(j));
        if (pixel == 0) continue;
        for (let g = 0; g < groups; g++) {
          const first = g * channelsPerGroup;
          addScaledRun(
              element(out, first), element(pixel, first),
              weightAt(kernel, position, g, tap), channelsPerGroup);
        }
      }
    }
  }
}

/** Every entry of `dKernel` (0 for taps outside the input): per group, `dy · x` at the tap. */
export function involutionBackpropKernel(
    x: usize, dy: usize, dKernel: usize, positions: i32): void {
  const groups = groupCount();
  for (let position = 0; position < positions; position++) {
    beginRow(x, position);
    const grad = element(dy, position * channels);
    for (let i = 0, tap = 0; i < filterHeight; i++) {
      for (let j = 0; j < filterWidth; j++, tap++) {
        const pixel = inputPixel(tapRow(i), tapColumn(j));
        for (let g = 0; g < groups; g++) {
          const first = g * channelsPerGroup;
          const value = pixel == 0 ? <f32>0 :
              dotRun(element(grad, first), element(pixel, first), channelsPerGroup);
          store<f32>(element(dKernel, (position * groups + g) * kernelSize + tap), value);
        }
      }
    }
  }
}

/**
 * Every entry of `dx` `[batchSize, inHeight, inWidth, channels]`, as a
 * gather: each pixel sums `kernel · dy` over the output positions whose taps
 * land on it.
 */
export function involutionBackpropInput(
    kernel: usize, dy: usize, dx: usize, batchSize: i32): void {
  const groups = groupCount();
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
            const position = outputPosition(n, oh, ow);
            const grad = element(dy, position * channels);
            for (let g = 0; g < groups; g++) {
              const first = g * channelsPerGroup;
              addScaledRun(
                  element(out, first), element(grad, first),
                  weightAt(kernel, position, g, tap), channelsPerGroup);
            }
          }
        }
      }
    }
  }
}
