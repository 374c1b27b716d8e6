/** Where an involution tap reads (docs/semantics.md §3.1), in GLSL for the involution programs. */
import type {InvolutionInfo} from '../../shape/involution';

/**
 * `ivec2 tapPixel(ivec3 position, int k)`: the input pixel `(y, x)` that tap
 * `k` of output position `(n, oh, ow)` reads, and
 * `bool inImage(ivec2 pixel)`.
 */
export function involutionTapGlsl(info: InvolutionInfo): string {
  return `
    ivec2 tapPixel(ivec3 position, int k) {
      return ivec2(
          position.y * ${info.strideHeight} - ${info.padTop} +
              (k / ${info.filterWidth}) * ${info.dilationHeight},
          position.z * ${info.strideWidth} - ${info.padLeft} +
              imod(k, ${info.filterWidth}) * ${info.dilationWidth});
    }

    bool inImage(ivec2 pixel) {
      return pixel.x >= 0 && pixel.x < ${info.inHeight} && pixel.y >= 0 &&
          pixel.y < ${info.inWidth};
    }
  `;
}
