/**
 * Involution forward and backward on channels-last typed arrays (the cpu
 * backend's kernels and the readable reference for the others). Taps sit on
 * integer positions, so the input gradient is written as a gather: each input
 * pixel sums the output positions whose window covers it.
 */
import type {InvolutionInfo} from '../../shape/involution';

/** Element index of `x`'s pixel (n, y, x), or -1 outside the input. */
function pixelIndex(info: InvolutionInfo, n: number, y: number, x: number): number {
  if (y < 0 || y >= info.inHeight || x < 0 || x >= info.inWidth) {
    return -1;
  }
  return ((n * info.inHeight + y) * info.inWidth + x) * info.inChannels;
}

/** Calls `visit(position, tap, pixel)` for every output position and tap inside the input. */
function forEachTap(
  info: InvolutionInfo,
  visit: (position: number, n: number, tap: number, pixel: number) => void,
) {
  const {outHeight, outWidth, filterWidth, taps} = info;
  for (let position = 0; position < info.batchSize * outHeight * outWidth; position++) {
    const n = Math.floor(position / (outHeight * outWidth));
    const oh = Math.floor(position / outWidth) % outHeight;
    const ow = position % outWidth;
    for (let tap = 0; tap < taps; tap++) {
      const y =
        oh * info.strideHeight - info.padTop + Math.floor(tap / filterWidth) * info.dilationHeight;
      const x = ow * info.strideWidth - info.padLeft + (tap % filterWidth) * info.dilationWidth;
      const pixel = pixelIndex(info, n, y, x);
      if (pixel >= 0) {
        visit(position, n, tap, pixel);
      }
    }
  }
}

export function involutionForward(
  info: InvolutionInfo,
  x: Float32Array,
  kernel: Float32Array,
): Float32Array {
  const {inChannels: channels, channelsPerGroup, taps, groups} = info;
  const y = new Float32Array(info.batchSize * info.outHeight * info.outWidth * channels);
  forEachTap(info, (position, _n, tap, pixel) => {
    for (let g = 0; g < groups; g++) {
      const weight = kernel[(position * groups + g) * taps + tap];
      const first = g * channelsPerGroup;
      for (let c = first; c < first + channelsPerGroup; c++) {
        y[position * channels + c] += weight * x[pixel + c];
      }
    }
  });
  return y;
}

/** Gradient w.r.t. the kernel: each tap's dot product of `dy` and the input, per group. */
export function involutionBackpropKernel(
  info: InvolutionInfo,
  x: Float32Array,
  dy: Float32Array,
): Float32Array {
  const {inChannels: channels, channelsPerGroup, taps, groups} = info;
  const dKernel = new Float32Array(info.batchSize * info.outHeight * info.outWidth * groups * taps);
  forEachTap(info, (position, _n, tap, pixel) => {
    for (let g = 0; g < groups; g++) {
      const first = g * channelsPerGroup;
      let sum = 0;
      for (let c = first; c < first + channelsPerGroup; c++) {
        sum += dy[position * channels + c] * x[pixel + c];
      }
      dKernel[(position * groups + g) * taps + tap] = sum;
    }
  });
  return dKernel;
}

/** Gradient w.r.t. x, as a gather over the output positions whose taps land on each pixel. */
export function involutionBackpropX(
  info: InvolutionInfo,
  kernel: Float32Array,
  dy: Float32Array,
): Float32Array {
  const {
    inHeight,
    inWidth,
    inChannels: channels,
    outHeight,
    outWidth,
    filterWidth,
    taps,
    channelsPerGroup,
    groups,
  } = info;
  const dx = new Float32Array(info.batchSize * inHeight * inWidth * channels);
  for (let n = 0; n < info.batchSize; n++) {
    for (let y = 0; y < inHeight; y++) {
      for (let x = 0; x < inWidth; x++) {
        const out = ((n * inHeight + y) * inWidth + x) * channels;
        for (let tap = 0; tap < taps; tap++) {
          // The output position whose tap lands on (y, x), if the strides allow one.
          const rows = y + info.padTop - Math.floor(tap / filterWidth) * info.dilationHeight;
          const cols = x + info.padLeft - (tap % filterWidth) * info.dilationWidth;
          const oh = rows / info.strideHeight;
          const ow = cols / info.strideWidth;
          if (!(
            Number.isInteger(oh) &&
            Number.isInteger(ow) &&
            oh >= 0 &&
            oh < outHeight &&
            ow >= 0 &&
            ow < outWidth
          )) {
            continue;
          }
          const position = (n * outHeight + oh) * outWidth + ow;
          for (let g = 0; g < groups; g++) {
            const weight = kernel[(position * groups + g) * taps + tap];
            for (let c = g * channelsPerGroup; c < (g + 1) * channelsPerGroup; c++) {
              dx[out + c] += weight * dy[position * channels + c];
            }
          }
        }
      }
    }
  }
  return dx;
}
