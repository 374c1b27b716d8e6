/**
 * What the two clamped samplers of the RoI poolings share in GLSL: sampler A
 * (roi_glsl.ts, mmcv's RoIAlign rule) and sampler P (ps_roi_glsl.ts, the
 * position-sensitive rule) differ only in where they accept and clamp a
 * position (and in their derivatives); both then read the four corners of
 * image `n` of the program input `x` and interpolate them.
 */
import {BILINEAR_GLSL} from './deform_glsl';

/**
 * `struct ClampedSample` and, when `readsX`, `vec4 clampedCorners(s, c)`
 * (channel `c` of the four corners, low/high rows then columns) and
 * `float clampedValue(s, corners)`.
 */
export function clampedSampleGlsl(readsX: boolean): string {
  const corners = !readsX
    ? ''
    : `
    vec4 clampedCorners(ClampedSample s, int c) {
      return vec4(getX(s.n, s.low.x, s.low.y, c), getX(s.n, s.low.x, s.high.y, c),
                  getX(s.n, s.high.x, s.low.y, c), getX(s.n, s.high.x, s.high.y, c));
    }

    float clampedValue(ClampedSample s, vec4 v) {
      return bilinear(s.frac, v);
    }
  `;
  return `
    struct ClampedSample {
      bool inside;    // accepted by the sampler's window; else it adds nothing
      int n;
      ivec2 low;      // corners (y, x), clamped into the image
      ivec2 high;
      vec2 frac;      // (ly, lx)
      vec2 position;  // unclamped (y, x)
    };
    ${BILINEAR_GLSL}
    ${corners}
  `;
}
