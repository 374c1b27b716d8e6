/**
 * DeformRoIPool's input gradient as a scatter (scatter/index.ts): a row is a bin
 * `(r, ph, pw)`, a sample one point `(iy, ix)` of its grid, adding the bin's
 * `dy / count` to every channel (one value entry for all of them). A RoI's image is data, so the images are
 * stacked into one of height `N H`: sampler A's corners never leave their
 * image (a clamped corner that would has weight 0, which the scatter drops),
 * and `[1, N H, W, C]` is laid out as `[N, H, W, C]`.
 */
import type {TensorInfo} from '@tensorflow/tfjs-core';

import type {RoIPoolInfo} from '../../shape/roi_pool';
import {roiBinGlsl, samplerAGlsl} from './roi_glsl';
import type {ScatterLayout, ScatterSources} from './scatter/index';

/**
 * `grid` is a bound on the bins' sampling grids (rows, columns): their
 * points are the samples of a row, those beyond a bin's own grid add nothing.
 */
export function roiPoolScatterLayout(info: RoIPoolInfo, grid: [number, number]): ScatterLayout {
  const samples = grid[0] * grid[1];
  const bins = info.rois * info.pooledHeight * info.pooledWidth;
  return {
    batchSize: 1,
    inHeight: info.batchSize * info.height,
    inWidth: info.width,
    inChannels: info.channels,
    samplesPerRow: samples,
    samplesPerChannelGroup: samples,
    run: info.channels,
    samplesPerValue: samples,
    rowsPerImage: bins,
  };
}

/** `(r, ph, pw)` of bin `row`. */
function binGlsl(info: RoIPoolInfo): string {
  const {pooledHeight, pooledWidth} = info;
  return `
    ivec3 binOfRow(int row) {
      return ivec3(row / ${pooledHeight * pooledWidth},
                   imod(row / ${pooledWidth}, ${pooledHeight}),
                   imod(row, ${pooledWidth}));
    }
  `;
}

export function roiPoolScatterSources(
  info: RoIPoolInfo,
  grid: [number, number],
  rois: TensorInfo,
  offset: TensorInfo,
  dy: TensorInfo,
): ScatterSources {
  return {
    geometry: {
      variableNames: ['rois', 'offset'],
      usesRowStart: true,
      glsl: `
        ${binGlsl(info)}
        ${roiBinGlsl(info)}
        ${samplerAGlsl(info, false)}

        vec4 scatterGeometry(int r, int t) {
          ivec3 bin = binOfRow(rowStart + r);
          RoiBin b = roiBin(bin.x, bin.y, bin.z);
          int ky = t / ${grid[1]};
          int kx = imod(t, ${grid[1]});
          if (ky >= b.span.x || kx >= b.span.y) {
            return vec4(-2.0, -2.0, 0.0, 0.0);
          }
          ClampedSample s = locateA(b.n, gridPoint(b, ky, kx));
          if (!s.inside) {
            return vec4(-2.0, -2.0, 0.0, 0.0);
          }
          return vec4(float(b.n * ${info.height} + s.low.x), float(s.low.y), s.frac);
        }
      `,
    },
    geometryInputs: [rois, offset],
    values: {
      variableNames: ['rois', 'offset', 'dy'],
      usesRowStart: true,
      glsl: `
        ${binGlsl(info)}
        ${roiBinGlsl(info)}

        float scatterValue(int r, int v, int c) {
          ivec3 bin = binOfRow(rowStart + r);
          RoiBin b = roiBin(bin.x, bin.y, bin.z);
          return getDy(bin.x, bin.y, bin.z, c) / gridCount(b);
        }
      `,
    },
    valuesInputs: [rois, offset, dy],
  };
}
