/**
 * DCNv1's deformable position-sensitive RoI pooling forward and backward on
 * channels-last typed arrays (docs/semantics.md §5): output channel `ct` of bin
 * `(ph, pw)` averages the accepted samples of input channel
 * `(ct * gs + gh) * gs + gw`, shifted by the class's `trans * transStd *
 * RoI size` of the bin's part cell. RoIs are not differentiable.
 */
import type {PSRoIPoolInfo} from '../../shape/roi_pool';
import {BilinearP} from './bilinear_p';

/** C's `round`: half away from zero (JS's Math.round rounds -2.5 to -2). */
function cRound(v: number): number {
  return Math.sign(v) * Math.floor(Math.abs(v) + 0.5);
}

interface Bin {
  /** Element index of the output (and dy) entry. */
  out: number;
  /** Input channel read. */
  channel: number;
  /** Index of the bin's Δx in `offset` (Δy follows). */
  offsetIndex: number;
  roiWidth: number;
  roiHeight: number;
}

/**
 * Calls `visit(bin, count)` for every output entry once its accepted
 * samples are known (`count` of them), and `sample(bin)` with the sampler
 * located at each accepted sample, before.
 */
function forEachBin(
  info: PSRoIPoolInfo,
  rois: Float32Array,
  offset: Float32Array,
  sampler: BilinearP,
  sample: (bin: Bin) => void,
  visit: (bin: Bin, count: number) => void,
) {
  const {
    pooledHeight: ph_,
    pooledWidth: pw_,
    groupSize: gs,
    samplesPerPart: s,
    spatialScale: scale,
  } = info;
  const imageSize = info.height * info.width * info.channels;
  const perClass = info.outputDim / info.classes;
  for (let r = 0; r < info.rois; r++) {
    const batch = Math.trunc(rois[5 * r]);
    const startX = cRound(rois[5 * r + 1]) * scale - 0.5;
    const startY = cRound(rois[5 * r + 2]) * scale - 0.5;
    const roiWidth = Math.max((cRound(rois[5 * r + 3]) + 1) * scale - 0.5 - startX, 0.1);
    const roiHeight = Math.max((cRound(rois[5 * r + 4]) + 1) * scale - 0.5 - startY, 0.1);
    const binWidth = roiWidth / pw_;
    const binHeight = roiHeight / ph_;
    for (let ph = 0; ph < ph_; ph++) {
      for (let pw = 0; pw < pw_; pw++) {
        const partH = Math.floor((ph / ph_) * info.partHeight);
        const partW = Math.floor((pw / pw_) * info.partWidth);
        const gh = Math.min(Math.max(Math.floor((ph * gs) / ph_), 0), gs - 1);
        const gw = Math.min(Math.max(Math.floor((pw * gs) / pw_), 0), gs - 1);
        for (let ct = 0; ct < info.outputDim; ct++) {
          const cls = Math.floor(ct / perClass);
          const offsetIndex =
            ((r * info.partHeight + partH) * info.partWidth + partW) * 2 * info.classes + 2 * cls;
          const tx = offset[offsetIndex] * info.transStd;
          const ty = offset[offsetIndex + 1] * info.transStd;
          const w0 = pw * binWidth + startX + tx * roiWidth;
          const h0 = ph * binHeight + startY + ty * roiHeight;
          const bin: Bin = {
            out: ((r * ph_ + ph) * pw_ + pw) * info.outputDim + ct,
            channel: (ct * gs + gh) * gs + gw,
            offsetIndex,
            roiWidth,
            roiHeight,
          };
          let count = 0;
          for (let ih = 0; ih < s; ih++) {
            for (let iw = 0; iw < s; iw++) {
              // Not centred in the sub-bins (the peer's convention).
              if (
                sampler.locate(
                  h0 + (ih * binHeight) / s,
                  w0 + (iw * binWidth) / s,
                  batch * imageSize,
                )
              ) {
                count++;
                sample(bin);
              }
            }
          }
          visit(bin, count);
        }
      }
    }
  }
}

export function deformPsRoiPoolForward(
  info: PSRoIPoolInfo,
  x: Float32Array,
  rois: Float32Array,
  offset: Float32Array,
): Float32Array {
  const y = new Float32Array(info.rois * info.pooledHeight * info.pooledWidth * info.outputDim);
  const sampler = new BilinearP(info.height, info.width, info.channels);
  let sum = 0;
  forEachBin(
    info,
    rois,
    offset,
    sampler,
    bin => (sum += sampler.value(x, bin.channel)),
    (bin, count) => {
      y[bin.out] = count > 0 ? sum / count : 0;
      sum = 0;
    },
  );
  return y;
}

export function deformPsRoiPoolBackward(
  info: PSRoIPoolInfo,
  x: Float32Array,
  rois: Float32Array,
  offset: Float32Array,
  dy: Float32Array,
): {dx: Float32Array; dOffset: Float32Array} {
  const dx = new Float32Array(x.length);
  const dOffset = new Float32Array(offset.length);
  const sampler = new BilinearP(info.height, info.width, info.channels);
  // The average's weight 1 / count is known only after the bin's samples:
  // count them in a first pass, then visit the samples again to scatter.
  const counts = new Float32Array(dy.length);
  forEachBin(
    info,
    rois,
    offset,
    sampler,
    () => {},
    (bin, count) => (counts[bin.out] = count),
  );
  forEachBin(
    info,
    rois,
    offset,
    sampler,
    bin => {
      const count = counts[bin.out];
      const g = count > 0 ? dy[bin.out] / count : 0;
      sampler.scatter(dx, bin.channel, g);
      dOffset[bin.offsetIndex] += info.transStd * bin.roiWidth * g * sampler.gradX(x, bin.channel);
      dOffset[bin.offsetIndex + 1] +=
        info.transStd * bin.roiHeight * g * sampler.gradY(x, bin.channel);
    },
    () => {},
  );
  return {dx, dOffset};
}
