/**
 * Where a DCNv3 point samples (docs/semantics.md §2.3), in GLSL for the DCNv3
 * programs; sampler Z itself is deform_glsl.ts's.
 */
import type {DCNv3Info} from '../../shape/dcnv3';
import {glslFloat} from './deform_glsl';

/**
 * `ZSample dcnv3Sample(ivec3 position, int t)`: point `t = g * P + p` of
 * output position `(n, oh, ow)`, located for sampler Z. Points are
 * column-major, the centre skipped with removeCenter; offsets are (Δx, Δy).
 * Needs the program input `offset` and `samplerZGlsl` before it.
 */
export function dcnv3SampleGlsl(info: DCNv3Info): string {
  const {filterHeight: kh, filterWidth: kw, offsetScale: s} = info;
  // removeCenter needs an odd kernel: the points after the centre move up one.
  const centre = Math.floor(kw / 2) * kh + Math.floor(kh / 2);
  const skipCentre = info.removeCenter ? `if (k >= ${centre}) { k++; }` : '';
  return `
    ZSample dcnv3Sample(ivec3 position, int t) {
      int k = imod(t, ${info.points});
      ${skipCentre}
      int a = k / ${kh};
      int b = imod(k, ${kh});
      float deltaX = getOffset(position.x, position.y, position.z, 2 * t);
      float deltaY = getOffset(position.x, position.y, position.z, 2 * t + 1);
      float y = float(position.y * ${info.strideHeight} - ${info.padTop} + ${info.centreHeight}) +
          ${glslFloat(s)} * (float(b * ${info.dilationHeight} - ${info.centreHeight}) + deltaY);
      float x = float(position.z * ${info.strideWidth} - ${info.padLeft} + ${info.centreWidth}) +
          ${glslFloat(s)} * (float(a * ${info.dilationWidth} - ${info.centreWidth}) + deltaX);
      return locateZ(position.x, y, x);
    }
  `;
}
