/**
 * GLSL shared by the deformable-convolution programs: where a tap samples
 * (semantics.md §1.4) and sampler Z (§0.1), written once and pasted into each
 * program's `userCode`. Shape constants are baked in, so a program is
 * compiled once per shape; only `rowStart` changes between chunks. Written,
 * like tfjs's own programs, to stay valid GLSL ES 1.0 (tfjs's `imod`, no bit
 * operations, constant loop bounds), though only WebGL2 is tested.
 */
import type {DeformConvInfo} from '../../ops/deform_conv_util';

/** The chunk's first output position: a custom uniform, so chunks share a compiled program. */
export const ROW_START_UNIFORM = {name: 'rowStart', type: 'int' as const};

/**
 * `ivec2 columnChannelTap(int q, int j)`: input channel `c` and tap `t` of
 * column `j` of group `q` in the column layout `[G, rows, K * C/G]`.
 */
export function columnChannelTapGlsl(info: DeformConvInfo): string {
  const perGroup = info.inChannelsPerGroup;
  return `
    ivec2 columnChannelTap(int q, int j) {
      int c = q * ${perGroup} + imod(j, ${perGroup});
      return ivec2(c, (c / ${info.inChannelsPerOffsetGroup}) * ${
      info.kernelSize} + j / ${perGroup});
    }
  `;
}

/** `ivec3 outputPosition(int row)`: `(n, oh, ow)` of a flattened output position. */
export function outputPositionGlsl(info: DeformConvInfo): string {
  const {outHeight, outWidth} = info;
  return `
    ivec3 outputPosition(int row) {
      return ivec3(row / ${outHeight * outWidth},
                   imod(row / ${outWidth}, ${outHeight}), imod(row, ${outWidth}));
    }
  `;
}

/**
 * `DeformSample deformSample(int row, int t)`: output position `row`
 * (flattened `(n, oh, ow)`) and tap `t` (`offsetGroup * K + kernelTap`),
 * located for sampler Z. Needs the program input `offset`.
 */
export function deformSampleGlsl(info: DeformConvInfo): string {
  const {filterWidth, kernelSize} = info;
  return `
    ${outputPositionGlsl(info)}

    struct DeformSample {
      bool inside;   // false: the sample and its derivatives are 0
      int n;
      int oh;
      int ow;
      ivec2 origin;  // (floor(y), floor(x)); (-2, -2) when outside
      vec2 frac;     // (y, x) - origin
    };

    DeformSample deformSample(int row, int t) {
      DeformSample s;
      ivec3 position = outputPosition(row);
      s.n = position.x;
      s.oh = position.y;
      s.ow = position.z;
      int k = imod(t, ${kernelSize});
      float y = float(s.oh * ${info.strideHeight} - ${info.padTop} +
                      (k / ${filterWidth}) * ${info.dilationHeight}) +
          getOffset(s.n, s.oh, s.ow, 2 * t);
      float x = float(s.ow * ${info.strideWidth} - ${info.padLeft} +
                      imod(k, ${filterWidth}) * ${info.dilationWidth}) +
          getOffset(s.n, s.oh, s.ow, 2 * t + 1);
      // NaN fails no comparison reliably on every GPU: test it explicitly.
      s.inside = !isnan(y) && !isnan(x) && y > -1.0 && y < ${info.inHeight}.0 &&
          x > -1.0 && x < ${info.inWidth}.0;
      vec2 p = s.inside ? vec2(y, x) : vec2(-2.0);
      vec2 origin = floor(p);
      s.origin = ivec2(origin);
      s.frac = p - origin;
      return s;
    }
  `;
}

/**
 * Sampler Z's value and position derivatives at a located sample:
 * `vec4 zCorners(s, c)` reads the corners (00, 01, 10, 11) of channel `c`
 * (0 outside the input), then `zValue`, `zGradY`, `zGradX` combine them.
 * Needs the program input `x`.
 */
export function samplerZGlsl(info: DeformConvInfo): string {
  const {inHeight, inWidth} = info;
  return `
    vec4 zCorners(DeformSample s, int c) {
      int y0 = s.origin.x;
      int x0 = s.origin.y;
      bool top = y0 >= 0;
      bool bottom = y0 + 1 < ${inHeight};
      bool left = x0 >= 0;
      bool right = x0 + 1 < ${inWidth};
      return vec4(
          top && left ? getX(s.n, y0, x0, c) : 0.0,
          top && right ? getX(s.n, y0, x0 + 1, c) : 0.0,
          bottom && left ? getX(s.n, y0 + 1, x0, c) : 0.0,
          bottom && right ? getX(s.n, y0 + 1, x0 + 1, c) : 0.0);
    }

    float zValue(DeformSample s, vec4 v) {
      float ly = s.frac.x;
      float lx = s.frac.y;
      return (1.0 - ly) * ((1.0 - lx) * v.x + lx * v.y) +
          ly * ((1.0 - lx) * v.z + lx * v.w);
    }

    // Forward differences toward floor + 1 (mmcv's rule at integers).
    float zGradY(DeformSample s, vec4 v) {
      float lx = s.frac.y;
      return (1.0 - lx) * (v.z - v.x) + lx * (v.w - v.y);
    }

    float zGradX(DeformSample s, vec4 v) {
      float ly = s.frac.x;
      return (1.0 - ly) * (v.y - v.x) + ly * (v.w - v.z);
    }
  `;
}
