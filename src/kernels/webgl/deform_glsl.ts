/**
 * GLSL shared by the deformable programs: sampler Z (docs/semantics.md §0.1),
 * written once for every op that uses it (DCNv1/v2, DCNv3), and where a
 * DCNv1/v2 tap samples (§1.4); pasted into each program's `userCode`. Shape
 * constants are baked in, so a program is compiled once per shape; only
 * `rowStart` changes between chunks. Written, like tfjs's own programs, to
 * stay valid GLSL ES 1.0 (tfjs's `imod`, no bit operations, constant loop
 * bounds), though only WebGL2 is tested.
 */
import type {DeformConvInfo} from '../../shape/deform_conv';
import type {WindowGeometry} from '../../shape/window';

/** The chunk's first output position: a custom uniform, so chunks share a compiled program. */
export const ROW_START_UNIFORM = {name: 'rowStart', type: 'int' as const};

/** A finite number as a GLSL float literal (`1` is an int in GLSL). */
export function glslFloat(value: number): string {
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/**
 * `ivec2 columnChannelTap(int q, int j)`: input channel `c` and tap `t` of
 * column `j` of group `q` in the column layout `[G, rows, K * C/G]`.
 */
export function columnChannelTapGlsl(info: DeformConvInfo): string {
  const perGroup = info.inChannelsPerGroup;
  return `
    ivec2 columnChannelTap(int q, int j) {
      int c = q * ${perGroup} + imod(j, ${perGroup});
      return ivec2(c, (c / ${info.inChannelsPerOffsetGroup}) * ${info.taps} + j / ${perGroup});
    }
  `;
}

/** `ivec3 outputPosition(int row)`: `(n, oh, ow)` of a flattened output position. */
export function outputPositionGlsl(geometry: WindowGeometry): string {
  const {outHeight, outWidth} = geometry;
  return `
    ivec3 outputPosition(int row) {
      return ivec3(row / ${outHeight * outWidth},
                   imod(row / ${outWidth}, ${outHeight}), imod(row, ${outWidth}));
    }
  `;
}

/**
 * `float bilinear(vec2 frac, vec4 v)`: corners (00, 01, 10, 11) weighted by
 * the fractional parts `(ly, lx)`; every sampler interpolates so.
 */
export const BILINEAR_GLSL = `
  float bilinear(vec2 frac, vec4 v) {
    float ly = frac.x;
    float lx = frac.y;
    return (1.0 - ly) * ((1.0 - lx) * v.x + lx * v.y) +
        ly * ((1.0 - lx) * v.z + lx * v.w);
  }
`;

/**
 * Sampler Z on image `n` of the program input `x` (`[N, H, W, C]`):
 * `ZSample locateZ(int n, float y, float x)` locates a position once, then
 * `vec4 zCorners(s, c)` reads the corners (00, 01, 10, 11) of channel `c`
 * (0 outside the input) and `zValue`, `zGradY`, `zGradX` combine them;
 * `zGeometry(s)` is the sample as a scatter geometry entry. Without
 * `readsX`, no `zCorners`: the scatter geometry has no input `x`.
 */
export function samplerZGlsl(geometry: WindowGeometry, readsX = true): string {
  const {inHeight, inWidth} = geometry;
  const corners = !readsX
    ? ''
    : `
    vec4 zCorners(ZSample s, int c) {
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
  `;
  return `
    struct ZSample {
      bool inside;   // false: the sample and its derivatives are 0
      int n;
      ivec2 origin;  // (floor(y), floor(x)); (-2, -2) when outside
      vec2 frac;     // (y, x) - origin
    };

    ZSample locateZ(int n, float y, float x) {
      ZSample s;
      s.n = n;
      // NaN fails no comparison reliably on every GPU: test it explicitly.
      s.inside = !isnan(y) && !isnan(x) && y > -1.0 && y < ${inHeight}.0 &&
          x > -1.0 && x < ${inWidth}.0;
      vec2 p = s.inside ? vec2(y, x) : vec2(-2.0);
      vec2 origin = floor(p);
      s.origin = ivec2(origin);
      s.frac = p - origin;
      return s;
    }

    vec4 zGeometry(ZSample s) {
      return vec4(vec2(s.origin), s.frac);
    }
    ${corners}
    ${BILINEAR_GLSL}

    float zValue(ZSample s, vec4 v) {
      return bilinear(s.frac, v);
    }

    // Forward differences toward floor + 1 (mmcv's rule at integers).
    float zGradY(ZSample s, vec4 v) {
      float lx = s.frac.y;
      return (1.0 - lx) * (v.z - v.x) + lx * (v.w - v.y);
    }

    float zGradX(ZSample s, vec4 v) {
      float ly = s.frac.x;
      return (1.0 - ly) * (v.y - v.x) + ly * (v.w - v.z);
    }
  `;
}

/**
 * `ZSample deformSample(ivec3 position, int t)`: DCNv1/v2's tap `t`
 * (`offsetGroup * K + kernelTap`) of output position `(n, oh, ow)`,
 * located for sampler Z. Needs the program input `offset`, and
 * {@link samplerZGlsl} and {@link outputPositionGlsl} before it.
 */
export function deformSampleGlsl(info: DeformConvInfo): string {
  const {filterWidth, taps} = info;
  return `
    ZSample deformSample(ivec3 position, int t) {
      int k = imod(t, ${taps});
      float y = float(position.y * ${info.strideHeight} - ${info.padTop} +
                      (k / ${filterWidth}) * ${info.dilationHeight}) +
          getOffset(position.x, position.y, position.z, 2 * t);
      float x = float(position.z * ${info.strideWidth} - ${info.padLeft} +
                      imod(k, ${filterWidth}) * ${info.dilationWidth}) +
          getOffset(position.x, position.y, position.z, 2 * t + 1);
      return locateZ(position.x, y, x);
    }
  `;
}
