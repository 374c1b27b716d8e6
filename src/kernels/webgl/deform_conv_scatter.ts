/**
 * DCNv1/v2's input gradient as a scatter (scatter/index.ts): a sample is a tap
 * `t = offsetGroup * K + k` of an output position, adding the column
 * gradient of the offset group's channels, times the mask.
 */
import type {TensorInfo} from '@tensorflow/tfjs-core';

import type {DeformConvInfo} from '../../shape/deform_conv';
import {deformSampleGlsl, outputPositionGlsl, samplerZGlsl} from './deform_glsl';
import type {ScatterLayout, ScatterSources} from './scatter/index';

export function deformConvScatterLayout(info: DeformConvInfo): ScatterLayout {
  return {
    batchSize: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    samplesPerRow: info.offsetGroups * info.taps,
    samplesPerChannelGroup: info.taps,
    run: info.inChannelsPerOffsetGroup,
    samplesPerValue: 1,
    rowsPerImage: info.outHeight * info.outWidth,
  };
}

/** `dCols` is the chunk's column gradient `[G, rowCount, K * C/G]`. */
export function deformConvScatterSources(
  info: DeformConvInfo,
  dCols: TensorInfo,
  offset: TensorInfo,
  mask: TensorInfo | null,
): ScatterSources {
  const perGroup = info.inChannelsPerGroup;
  const maskFactor =
    mask == null
      ? ''
      : `
        ivec3 position = outputPosition(rowStart + r);
        value *= getMask(position.x, position.y, position.z, t);`;
  return {
    geometry: {
      variableNames: ['offset'],
      usesRowStart: true,
      glsl: `
        ${outputPositionGlsl(info)}
        ${samplerZGlsl(info, false)}
        ${deformSampleGlsl(info)}

        vec4 scatterGeometry(int r, int t) {
          return zGeometry(deformSample(outputPosition(rowStart + r), t));
        }
      `,
    },
    geometryInputs: [offset],
    values: {
      variableNames: mask == null ? ['dCols'] : ['dCols', 'mask'],
      usesRowStart: mask != null,
      glsl: `
        ${mask == null ? '' : outputPositionGlsl(info)}

        float scatterValue(int r, int t, int i) {
          int c = (t / ${info.taps}) * ${info.inChannelsPerOffsetGroup} + i;
          int q = c / ${perGroup};
          int k = imod(t, ${info.taps});
          float value = getDCols(q, r, k * ${perGroup} + c - q * ${perGroup});
          ${maskFactor}
          return value;
        }
      `,
    },
    valuesInputs: mask == null ? [dCols] : [dCols, mask],
  };
}
