/**
 * DeformPSRoIPool's input gradient as a scatter (scatter/index.ts): a row is a bin
 * `(r, ph, pw)`, a sample one point `(ct, ih, iw)`, adding `dy / count` to
 * the one input channel that `ct` reads in that bin (one value entry per
 * `ct`). Both the image and the
 * channel are data of the sample, so the scatter draws into channel planes
 * stacked in height, `[C N H, W]` with one channel (sampler P's corners never
 * leave their plane: a clamped corner that would has weight 0, which the
 * scatter drops); the caller transposes `[C, N, H, W]` into NHWC.
 */
import type {TensorInfo} from '@tensorflow/tfjs-core';

import type {PSRoIPoolInfo} from '../../shape/roi_pool';
import {psBinGlsl, samplerPGlsl} from './ps_roi_glsl';
import type {ScatterLayout, ScatterSources} from './scatter/index';

export function psRoiPoolScatterLayout(info: PSRoIPoolInfo): ScatterLayout {
  const samples = info.outputDim * info.samplesPerPart ** 2;
  return {
    batchSize: 1,
    inHeight: info.channels * info.batchSize * info.height,
    inWidth: info.width,
    inChannels: 1,
    samplesPerRow: samples,
    samplesPerChannelGroup: samples,
    run: 1,
    samplesPerValue: info.samplesPerPart ** 2,
    rowsPerImage: info.rois * info.pooledHeight * info.pooledWidth,
  };
}

/** `psBin(row, t)`-style locating shared by both sources: bin and output channel of a sample. */
function sampleBinGlsl(info: PSRoIPoolInfo): string {
  const {pooledHeight, pooledWidth} = info;
  return `
    ${psBinGlsl(info)}
    ${samplerPGlsl(info, false)}

    // (r, ph, pw, ct) of sample t of bin row.
    ivec4 binChannel(int row, int t) {
      return ivec4(row / ${pooledHeight * pooledWidth},
                   imod(row / ${pooledWidth}, ${pooledHeight}),
                   imod(row, ${pooledWidth}), t / ${info.samplesPerPart ** 2});
    }
  `;
}

export function psRoiPoolScatterSources(
  info: PSRoIPoolInfo,
  rois: TensorInfo,
  offset: TensorInfo,
  dy: TensorInfo,
): ScatterSources {
  const samples = info.samplesPerPart;
  const {batchSize, height} = info;
  return {
    geometry: {
      variableNames: ['rois', 'offset'],
      usesRowStart: true,
      glsl: `
        ${sampleBinGlsl(info)}

        vec4 scatterGeometry(int r, int t) {
          ivec4 bc = binChannel(rowStart + r, t);
          PsBin b = psBin(bc.x, bc.y, bc.z, bc.w);
          int point = imod(t, ${samples * samples});
          ClampedSample s = locateP(b.n, psPoint(b, point / ${samples}, imod(point, ${samples})));
          if (!s.inside) {
            return vec4(-2.0, -2.0, 0.0, 0.0);
          }
          int plane = b.channel * ${batchSize} + b.n;
          return vec4(float(plane * ${height} + s.low.x), float(s.low.y), s.frac);
        }
      `,
    },
    geometryInputs: [rois, offset],
    values: {
      variableNames: ['rois', 'offset', 'dy'],
      usesRowStart: true,
      glsl: `
        ${sampleBinGlsl(info)}

        float scatterValue(int r, int ct, int i) {
          ivec4 bc = binChannel(rowStart + r, ct * ${samples * samples});
          PsBin b = psBin(bc.x, bc.y, bc.z, bc.w);
          int count = psSampleCount(b);
          // A sample of a bin without any adds nothing (the geometry drops it).
          return getDy(bc.x, bc.y, bc.z, bc.w) / float(max(count, 1));
        }
      `,
    },
    valuesInputs: [rois, offset, dy],
  };
}
