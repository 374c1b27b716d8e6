/**
 * DCNv3 core forward and backward on channels-last typed arrays (the cpu
 * backend's kernels and the readable reference for the others), with sampler
 * Z shared with DCNv1/v2.
 */
import {dcnv3Taps, DCNv3Info} from '../../shape/dcnv3';
import {BilinearZ} from './bilinear_z';

/**
 * Calls `visit(position, group, tap)` for every sample inside the sampler's
 * window, with `sampler` located there; `tap` indexes `mask` (and, doubled,
 * the (Δx, Δy) pair in `offset`).
 */
function forEachSample(
  info: DCNv3Info,
  offset: Float32Array,
  sampler: BilinearZ,
  visit: (position: number, group: number, tap: number) => void,
): void {
  const {outHeight, outWidth, groups, points, offsetScale: s} = info;
  const taps = dcnv3Taps(info);
  const imageSize = info.inHeight * info.inWidth * info.inChannels;
  const positions = info.batchSize * outHeight * outWidth;
  for (let position = 0; position < positions; position++) {
    const n = Math.floor(position / (outHeight * outWidth));
    const oh = Math.floor(position / outWidth) % outHeight;
    const ow = position % outWidth;
    const centreY = oh * info.strideHeight - info.padTop + info.centreHeight;
    const centreX = ow * info.strideWidth - info.padLeft + info.centreWidth;
    for (let group = 0; group < groups; group++) {
      for (let p = 0; p < points; p++) {
        const [b, a] = taps[p];
        const tap = (position * groups + group) * points + p;
        const x = centreX + s * (a * info.dilationWidth - info.centreWidth + offset[2 * tap]);
        const y = centreY + s * (b * info.dilationHeight - info.centreHeight + offset[2 * tap + 1]);
        if (sampler.locate(y, x, n * imageSize)) {
          visit(position, group, tap);
        }
      }
    }
  }
}

export function dcnv3Forward(
  info: DCNv3Info,
  x: Float32Array,
  offset: Float32Array,
  mask: Float32Array,
): Float32Array {
  const {inChannels: channels, channelsPerGroup} = info;
  const y = new Float32Array(info.batchSize * info.outHeight * info.outWidth * channels);
  const sampler = new BilinearZ(info.inHeight, info.inWidth, channels);
  forEachSample(info, offset, sampler, (position, group, tap) => {
    const m = mask[tap];
    for (let c = group * channelsPerGroup; c < (group + 1) * channelsPerGroup; c++) {
      y[position * channels + c] += m * sampler.value(x, c);
    }
  });
  return y;
}

export function dcnv3Backward(
  info: DCNv3Info,
  x: Float32Array,
  offset: Float32Array,
  mask: Float32Array,
  dy: Float32Array,
): {dx: Float32Array; dOffset: Float32Array; dMask: Float32Array} {
  const {inChannels: channels, channelsPerGroup, offsetScale: s} = info;
  const dx = new Float32Array(x.length);
  const dOffset = new Float32Array(offset.length);
  const dMask = new Float32Array(mask.length);
  const sampler = new BilinearZ(info.inHeight, info.inWidth, channels);
  forEachSample(info, offset, sampler, (position, group, tap) => {
    const m = mask[tap];
    let gradX = 0;
    let gradY = 0;
    let gradMask = 0;
    for (let c = group * channelsPerGroup; c < (group + 1) * channelsPerGroup; c++) {
      const g = dy[position * channels + c];
      gradMask += g * sampler.value(x, c);
      gradX += g * sampler.gradX(x, c);
      gradY += g * sampler.gradY(x, c);
      sampler.scatter(dx, c, g * m);
    }
    dOffset[2 * tap] = s * m * gradX;
    dOffset[2 * tap + 1] = s * m * gradY;
    dMask[tap] = gradMask;
  });
  return {dx, dOffset, dMask};
}
