/**
 * Involution's compute programs on webgpu (docs/semantics.md §3.1): all
 * three are gathers (integer taps), so even the input gradient needs no
 * atomics and is deterministic. Generated kernels are `[N, Ho, Wo, G K]`.
 */
import type {InvolutionInfo} from '../../shape/involution';
import {FlatProgram, flatProgram, THREAD_GUARD_WGSL} from './program_util';

/** `vec2<i32> tapPixel(row, k)`: the input pixel (y, x) tap `k` of output position `row` reads. */
function tapPixelWgsl(info: InvolutionInfo): string {
  const {outHeight: ho, outWidth: wo, filterWidth: kw} = info;
  return `
    fn tapPixel(row : i32, k : i32) -> vec2<i32> {
      return vec2<i32>(
          ((row / ${wo}) % ${ho}) * ${info.strideHeight} - ${info.padTop} +
              (k / ${kw}) * ${info.dilationHeight},
          (row % ${wo}) * ${info.strideWidth} - ${info.padLeft} + (k % ${kw}) * ${info.dilationWidth});
    }

    fn inImage(p : vec2<i32>) -> bool {
      return p.x >= 0 && p.x < ${info.inHeight} && p.y >= 0 && p.y < ${info.inWidth};
    }
  `;
}

function outputRows(info: InvolutionInfo): number {
  return info.batchSize * info.outHeight * info.outWidth;
}

export function involutionProgram(info: InvolutionInfo): FlatProgram {
  const {inChannels: channels, taps, inHeight: h, inWidth: w} = info;
  return flatProgram({
    name: 'involution',
    constants: info,
    variableNames: ['x', 'kernel'],
    outputShape: [info.batchSize, info.outHeight, info.outWidth, channels],
    threads: outputRows(info) * channels,
    userCode: `
      ${tapPixelWgsl(info)}

      fn main(index : i32) {
        ${THREAD_GUARD_WGSL}
        let row = index / ${channels};
        let c = index % ${channels};
        let n = row / ${info.outHeight * info.outWidth};
        let first = row * ${info.groups * taps} + (c / ${info.channelsPerGroup}) * ${taps};
        var sum = 0.0;
        for (var k = 0; k < ${taps}; k++) {
          let p = tapPixel(row, k);
          if (inImage(p)) {
            sum += f32(kernel[first + k]) * f32(x[((n * ${h} + p.x) * ${w} + p.y) * ${channels} + c]);
          }
        }
        result[index] = sum;
      }
    `,
  });
}

/** `dx`: each input element sums the taps that read it (found by inverting the window). */
export function involutionInputGradProgram(info: InvolutionInfo): FlatProgram {
  const {inChannels: channels, taps, inHeight: h, inWidth: w, outHeight: ho, outWidth: wo} = info;
  const kw = info.filterWidth;
  return flatProgram({
    name: 'involution_dx',
    constants: info,
    variableNames: ['kernel', 'dy'],
    outputShape: [info.batchSize, h, w, channels],
    threads: info.batchSize * h * w * channels,
    userCode: `
      fn main(index : i32) {
        ${THREAD_GUARD_WGSL}
        let c = index % ${channels};
        let ix = (index / ${channels}) % ${w};
        let iy = (index / ${channels * w}) % ${h};
        let n = index / ${channels * w * h};
        let firstTap = (c / ${info.channelsPerGroup}) * ${taps};
        var sum = 0.0;
        for (var k = 0; k < ${taps}; k++) {
          // Non-negative before dividing: the stride must divide exactly.
          let rows = iy + ${info.padTop} - (k / ${kw}) * ${info.dilationHeight};
          let cols = ix + ${info.padLeft} - (k % ${kw}) * ${info.dilationWidth};
          if (rows < 0 || cols < 0 || rows % ${info.strideHeight} != 0 ||
              cols % ${info.strideWidth} != 0) {
            continue;
          }
          let oh = rows / ${info.strideHeight};
          let ow = cols / ${info.strideWidth};
          if (oh < ${ho} && ow < ${wo}) {
            let row = (n * ${ho} + oh) * ${wo} + ow;
            sum += f32(kernel[row * ${info.groups * taps} + firstTap + k]) * f32(dy[row * ${channels} + c]);
          }
        }
        result[index] = sum;
      }
    `,
  });
}

/** The generated kernels' gradient: each tap sums its group's channels of `dy · x`. */
export function involutionKernelGradProgram(info: InvolutionInfo): FlatProgram {
  const {inChannels: channels, taps, inHeight: h, inWidth: w, groups} = info;
  return flatProgram({
    name: 'involution_dkernel',
    constants: info,
    variableNames: ['x', 'dy'],
    outputShape: [info.batchSize, info.outHeight, info.outWidth, groups * taps],
    threads: outputRows(info) * groups * taps,
    userCode: `
      ${tapPixelWgsl(info)}

      fn main(index : i32) {
        ${THREAD_GUARD_WGSL}
        let row = index / ${groups * taps};
        let k = index % ${taps};
        let first = ((index / ${taps}) % ${groups}) * ${info.channelsPerGroup};
        let n = row / ${info.outHeight * info.outWidth};
        let p = tapPixel(row, k);
        var sum = 0.0;
        if (inImage(p)) {
          let pixel = ((n * ${h} + p.x) * ${w} + p.y) * ${channels};
          for (var c = first; c < first + ${info.channelsPerGroup}; c++) {
            sum += f32(dy[row * ${channels} + c]) * f32(x[pixel + c]);
          }
        }
        result[index] = sum;
      }
    `,
  });
}
