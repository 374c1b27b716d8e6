/**
 * DCNv3's input gradient as a scatter (scatter/index.ts): a sample is a point
 * `t = g * P + p` of an output position, adding `dy` of group `g`'s
 * channels times the point's mask.
 */
import type {TensorInfo} from '@tensorflow/tfjs-core';

import type {DCNv3Info} from '../../shape/dcnv3';
import {dcnv3SampleGlsl} from './dcnv3_glsl';
import {outputPositionGlsl, samplerZGlsl} from './deform_glsl';
import type {ScatterLayout, ScatterSources} from './scatter/index';

export function dcnv3ScatterLayout(info: DCNv3Info): ScatterLayout {
  return {
    batchSize: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    samplesPerRow: info.groups * info.points,
    samplesPerChannelGroup: info.points,
    run: info.channelsPerGroup,
    samplesPerValue: 1,
    rowsPerImage: info.outHeight * info.outWidth,
  };
}

export function dcnv3ScatterSources(
  info: DCNv3Info,
  offset: TensorInfo,
  mask: TensorInfo,
  dy: TensorInfo,
): ScatterSources {
  return {
    geometry: {
      variableNames: ['offset'],
      usesRowStart: true,
      glsl: `
        ${outputPositionGlsl(info)}
        ${samplerZGlsl(info, false)}
        ${dcnv3SampleGlsl(info)}

        vec4 scatterGeometry(int r, int t) {
          return zGeometry(dcnv3Sample(outputPosition(rowStart + r), t));
        }
      `,
    },
    geometryInputs: [offset],
    values: {
      variableNames: ['mask', 'dy'],
      usesRowStart: true,
      glsl: `
        ${outputPositionGlsl(info)}

        float scatterValue(int r, int t, int i) {
          ivec3 position = outputPosition(rowStart + r);
          int c = (t / ${info.points}) * ${info.channelsPerGroup} + i;
          return getDy(position.x, position.y, position.z, c) *
              getMask(position.x, position.y, position.z, t);
        }
      `,
    },
    valuesInputs: [mask, dy],
  };
}
