/**
 * GLSL of DCNv1's deformable position-sensitive RoI pooling (docs/semantics.md
 * §5): a bin's shifted samples and input channel, and sampler P (§0.3).
 */
import type {PSRoIPoolInfo} from '../../shape/roi_pool';
import {clampedSampleGlsl} from './clamped_sample_glsl';
import {glslFloat} from './deform_glsl';

/**
 * `PsBin psBin(int r, int ph, int pw, int ct)`: where output channel `ct` of
 * bin `(ph, pw)` of RoI `r` samples, and `vec2 psPoint(b, ih, iw)` the
 * `(y, x)` of one sample. `ivec2 partCell(int ph, int pw)`: the bin's cell
 * of `offset`. Needs the program inputs `rois` and `offset`.
 */
export function psBinGlsl(info: PSRoIPoolInfo): string {
  const {pooledHeight, pooledWidth, groupSize: gs, samplesPerPart} = info;
  const scale = glslFloat(info.spatialScale);
  const transStd = glslFloat(info.transStd);
  return `
    struct PsBin {
      int n;
      int channel;    // input channel read
      int offsetAxis; // offset channel of the class's Δx (Δy follows)
      vec2 origin;    // (y, x) of the first sample
      vec2 binSize;
      vec2 roiSize;   // RoI height, width
    };

    // C's round: half away from zero.
    vec2 cRound(vec2 v) {
      return sign(v) * floor(abs(v) + 0.5);
    }

    ivec2 partCell(int ph, int pw) {
      return ivec2(ph * ${info.partHeight} / ${pooledHeight},
                   pw * ${info.partWidth} / ${pooledWidth});
    }

    PsBin psBin(int r, int ph, int pw, int ct) {
      PsBin b;
      b.n = int(getRois(r, 0));
      vec2 start = cRound(vec2(getRois(r, 2), getRois(r, 1))) * ${scale} - 0.5;
      vec2 end = (cRound(vec2(getRois(r, 4), getRois(r, 3))) + 1.0) * ${scale} - 0.5;
      b.roiSize = max(end - start, 0.1);
      b.binSize = b.roiSize / vec2(${pooledHeight}.0, ${pooledWidth}.0);
      int gh = clamp(ph * ${gs} / ${pooledHeight}, 0, ${gs - 1});
      int gw = clamp(pw * ${gs} / ${pooledWidth}, 0, ${gs - 1});
      b.channel = (ct * ${gs} + gh) * ${gs} + gw;
      b.offsetAxis = 2 * (ct / ${info.outputDim / info.classes});
      ivec2 cell = partCell(ph, pw);
      vec2 shift = vec2(getOffset(r, cell.x, cell.y, b.offsetAxis + 1),
                        getOffset(r, cell.x, cell.y, b.offsetAxis)) * ${transStd};
      b.origin = vec2(float(ph), float(pw)) * b.binSize + start + shift * b.roiSize;
      return b;
    }

    // Not centred in the sub-bins (the peer's convention).
    vec2 psPoint(PsBin b, int ih, int iw) {
      return b.origin + vec2(float(ih), float(iw)) * b.binSize / ${samplesPerPart}.0;
    }
  `;
}

/**
 * Sampler P on image `n` of the program input `x`:
 * `ClampedSample locateP(int n, vec2 p)` skips `p = (y, x)` outside
 * `[-0.5, size - 0.5]`, else clamps it into the image between its floor and
 * ceil; `int psSampleCount(PsBin b)`, the bin's accepted samples (its
 * average's divisor; needs psBinGlsl before); with `readsX`, the shared
 * corner reads and interpolation, and `pGradY`, `pGradX` (0 along an axis
 * where the clamped coordinate is an integer, as the peer's).
 */
export function samplerPGlsl(info: PSRoIPoolInfo, readsX = true): string {
  const {height, width, samplesPerPart: samples} = info;
  const gradients = !readsX
    ? ''
    : `
    float pGradY(ClampedSample s, vec4 v) {
      return (1.0 - s.frac.y) * (v.z - v.x) + s.frac.y * (v.w - v.y);
    }

    float pGradX(ClampedSample s, vec4 v) {
      return (1.0 - s.frac.x) * (v.y - v.x) + s.frac.x * (v.w - v.z);
    }
  `;
  return `
    ${clampedSampleGlsl(readsX)}

    ClampedSample locateP(int n, vec2 p) {
      ClampedSample s;
      s.n = n;
      s.position = p;
      // NaN fails no comparison reliably on every GPU: test it explicitly.
      s.inside = !isnan(p.x) && !isnan(p.y) && p.x >= -0.5 &&
          p.x <= ${height}.0 - 0.5 && p.y >= -0.5 && p.y <= ${width}.0 - 0.5;
      vec2 clamped = s.inside ?
          clamp(p, vec2(0.0), vec2(${height - 1}.0, ${width - 1}.0)) : vec2(0.0);
      s.low = ivec2(floor(clamped));
      s.high = ivec2(ceil(clamped));
      s.frac = clamped - floor(clamped);
      return s;
    }

    int psSampleCount(PsBin b) {
      int count = 0;
      for (int ih = 0; ih < ${samples}; ih++) {
        for (int iw = 0; iw < ${samples}; iw++) {
          count += locateP(b.n, psPoint(b, ih, iw)).inside ? 1 : 0;
        }
      }
      return count;
    }
    ${gradients}
  `;
}
