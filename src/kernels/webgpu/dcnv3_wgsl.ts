/**
 * Where a DCNv3 point samples (docs/semantics.md §2.3), in WGSL for the
 * DCNv3 programs; sampler Z itself is sampler_z_wgsl.ts's.
 */
import type {DCNv3Info} from '../../shape/dcnv3';
import {wgslFloat} from './sampler_z_wgsl';

/**
 * `ZSample dcnv3Sample(row, t)`: point `t = g * P + p` of output position
 * `row` (flattened `(n, oh, ow)`), located for sampler Z. Points are
 * column-major, the centre skipped with removeCenter; offsets are (Δx, Δy).
 * Needs the program input `offset`, after `samplerZWgsl`.
 */
export function dcnv3SampleWgsl(info: DCNv3Info): string {
  const {filterHeight: kh, filterWidth: kw, outHeight: ho, outWidth: wo} = info;
  const s = wgslFloat(info.offsetScale);
  // removeCenter needs an odd kernel: the points after the centre move up one.
  const centre = Math.floor(kw / 2) * kh + Math.floor(kh / 2);
  const skipCentre = info.removeCenter ? `if (k >= ${centre}) { k++; }` : '';
  return `
    fn dcnv3Sample(row : i32, t : i32) -> ZSample {
      var k = t % ${info.points};
      ${skipCentre}
      let a = k / ${kh};
      let b = k % ${kh};
      let o = 2 * (row * ${info.groups * info.points} + t);
      let oh = (row / ${wo}) % ${ho};
      let ow = row % ${wo};
      let py = f32(oh * ${info.strideHeight} - ${info.padTop} + ${info.centreHeight}) +
          ${s} * (f32(b * ${info.dilationHeight} - ${info.centreHeight}) + f32(offset[o + 1]));
      let px = f32(ow * ${info.strideWidth} - ${info.padLeft} + ${info.centreWidth}) +
          ${s} * (f32(a * ${info.dilationWidth} - ${info.centreWidth}) + f32(offset[o]));
      return zLocate(row / ${ho * wo}, py, px);
    }
  `;
}
