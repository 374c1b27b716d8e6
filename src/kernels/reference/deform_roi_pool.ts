/**
 * mmcv's DeformRoIPool forward and backward on channels-last typed arrays
 * (docs/semantics.md §4): RoIAlign-style averaging of `gh x gw` samples per bin,
 * each bin shifted by `gamma * offset * RoI size`. RoIs are not
 * differentiable. The cpu backend's kernels and the reference for the others.
 */
import type {RoIPoolInfo} from '../../shape/roi_pool';
import {windowedSamples} from '../../shape/roi_pool';
import {BilinearA} from './bilinear_a';

/** Calls `visit(bin, count, y, x, roiWidth, roiHeight)` for every sample inside the window. */
function forEachSample(
  info: RoIPoolInfo,
  rois: Float32Array,
  offset: Float32Array,
  sampler: BilinearA,
  visit: (
    bin: number,
    count: number,
    y: number,
    x: number,
    roiWidth: number,
    roiHeight: number,
  ) => void,
) {
  const {pooledHeight, pooledWidth, spatialScale, samplingRatio, gamma} = info;
  const imageSize = info.height * info.width * info.channels;
  for (let r = 0; r < info.rois; r++) {
    const batch = Math.trunc(rois[5 * r]);
    const startX = rois[5 * r + 1] * spatialScale - 0.5;
    const startY = rois[5 * r + 2] * spatialScale - 0.5;
    const roiWidth = rois[5 * r + 3] * spatialScale - 0.5 - startX;
    const roiHeight = rois[5 * r + 4] * spatialScale - 0.5 - startY;
    const binHeight = roiHeight / pooledHeight;
    const binWidth = roiWidth / pooledWidth;
    // Adaptive sampling of an empty or inverted RoI gives no samples (output 0), as in mmcv.
    const gridHeight = samplingRatio > 0 ? samplingRatio : Math.ceil(roiHeight / pooledHeight);
    const gridWidth = samplingRatio > 0 ? samplingRatio : Math.ceil(roiWidth / pooledWidth);
    if (!(gridHeight > 0 && gridWidth > 0)) {
      continue;
    }
    const count = gridHeight * gridWidth;
    for (let ph = 0; ph < pooledHeight; ph++) {
      for (let pw = 0; pw < pooledWidth; pw++) {
        const bin = (r * pooledHeight + ph) * pooledWidth + pw;
        const originY = startY + gamma * roiHeight * offset[2 * bin + 1] + ph * binHeight;
        const originX = startX + gamma * roiWidth * offset[2 * bin] + pw * binWidth;
        // Only the grid points that can be inside the map: all others add 0.
        const [firstY, rowsY] = windowedSamples(originY, binHeight, gridHeight, info.height);
        const [firstX, rowsX] = windowedSamples(originX, binWidth, gridWidth, info.width);
        for (let ky = 0; ky < rowsY; ky++) {
          const y = originY + ((firstY + ky + 0.5) * binHeight) / gridHeight;
          for (let kx = 0; kx < rowsX; kx++) {
            const x = originX + ((firstX + kx + 0.5) * binWidth) / gridWidth;
            if (sampler.locate(y, x, batch * imageSize)) {
              visit(bin, count, y, x, roiWidth, roiHeight);
            }
          }
        }
      }
    }
  }
}

export function deformRoiPoolForward(
  info: RoIPoolInfo,
  x: Float32Array,
  rois: Float32Array,
  offset: Float32Array,
): Float32Array {
  const {channels} = info;
  const y = new Float32Array(info.rois * info.pooledHeight * info.pooledWidth * channels);
  const sampler = new BilinearA(info.height, info.width, channels);
  forEachSample(info, rois, offset, sampler, (bin, count) => {
    for (let c = 0; c < channels; c++) {
      y[bin * channels + c] += sampler.value(x, c) / count;
    }
  });
  return y;
}

export function deformRoiPoolBackward(
  info: RoIPoolInfo,
  x: Float32Array,
  rois: Float32Array,
  offset: Float32Array,
  dy: Float32Array,
): {dx: Float32Array; dOffset: Float32Array} {
  const {channels, gamma} = info;
  const dx = new Float32Array(x.length);
  const dOffset = new Float32Array(offset.length);
  const sampler = new BilinearA(info.height, info.width, channels);
  forEachSample(info, rois, offset, sampler, (bin, count, y, xPos, roiWidth, roiHeight) => {
    let gradX = 0;
    let gradY = 0;
    for (let c = 0; c < channels; c++) {
      const g = dy[bin * channels + c] / count;
      sampler.scatter(dx, c, g);
      gradX += g * sampler.gradX(x, c, y);
      gradY += g * sampler.gradY(x, c, xPos);
    }
    dOffset[2 * bin] += gamma * roiWidth * gradX;
    dOffset[2 * bin + 1] += gamma * roiHeight * gradY;
  });
  return {dx, dOffset};
}
