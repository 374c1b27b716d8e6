/**
 * DCNv1's deformable position-sensitive RoI pooling on the tfjs wasm heap, as
 * src/kernels/reference/deform_ps_roi_pool.ts computes it: each output entry
 * averages the accepted samples (sampler P) of one input channel, so runs are
 * one channel long. Arguments named like tensors are byte addresses; call
 * `setImage(H, W, C)` first. A RoI whose batch index is outside `[0, N)` (the
 * op rejects those) pools nothing rather than read outside `x`.
 */
import {accumulateRun, gatherRun, scatterRun, sumGradX, sumGradY} from './bilinear_runs';
import {channels, inHeight, inWidth} from './geometry';
import {element} from './lanes';
import {locateP} from './sampler_clamped';

/** C's `round`: half away from zero. */
@inline function cRound(v: f64): f64 {
  return Math.sign(v) * Math.floor(Math.abs(v) + 0.5);
}

/** The pooling's attributes, set by `setPsRoiPool`. */
let outputDim: i32 = 0;
let groupSize: i32 = 0;
let pooledHeight: i32 = 0;
let pooledWidth: i32 = 0;
let partHeight: i32 = 0;
let partWidth: i32 = 0;
let samplesPerPart: i32 = 0;
let spatialScale: f64 = 0;
let transStd: f64 = 0;
let classes: i32 = 0;

export function setPsRoiPool(
    outDim: i32, groups: i32, pooledH: i32, pooledW: i32, partH: i32,
    partW: i32, samples: i32, scale: f64, std: f64, classCount: i32): void {
  outputDim = outDim;
  groupSize = groups;
  pooledHeight = pooledH;
  pooledWidth = pooledW;
  partHeight = partH;
  partWidth = partW;
  samplesPerPart = samples;
  spatialScale = scale;
  transStd = std;
  classes = classCount;
}

/** The current RoI (`beginRoi`) and output entry (`beginEntry`), in f64 as the reference. */
let roiImage: usize = 0;
let roiWidth: f64 = 0;
let roiHeight: f64 = 0;
let startX: f64 = 0;
let startY: f64 = 0;
let binWidth: f64 = 0;
let binHeight: f64 = 0;
/** Element index of the entry's Δx in `offset` (Δy follows), its input channel and first sample. */
let offsetIndex: i32 = 0;
let channel: i32 = 0;
let originX: f64 = 0;
let originY: f64 = 0;

/** Makes RoI `r` current; false for a batch index outside `[0, N)`. */
function beginRoi(x: usize, rois: usize, r: i32, batchSize: i32): bool {
  const batch = Math.trunc(<f64>load<f32>(element(rois, 5 * r)));
  if (!(batch >= 0 && batch < <f64>batchSize)) {
    return false;
  }
  roiImage = element(x, <i32>batch * inHeight * inWidth * channels);
  startX = cRound(<f64>load<f32>(element(rois, 5 * r + 1))) * spatialScale - 0.5;
  startY = cRound(<f64>load<f32>(element(rois, 5 * r + 2))) * spatialScale - 0.5;
  roiWidth = Math.max((cRound(<f64>load<f32>(element(rois, 5 * r + 3))) + 1) * spatialScale - 0.5 - startX, 0.1);
  roiHeight = Math.max((cRound(<f64>load<f32>(element(rois, 5 * r + 4))) + 1) * spatialScale - 0.5 - startY, 0.1);
  binWidth = roiWidth / <f64>pooledWidth;
  binHeight = roiHeight / <f64>pooledHeight;
  return true;
}

/** Makes output entry `(r, ph, pw, ct)` of the current RoI current. */
function beginEntry(offset: usize, r: i32, ph: i32, pw: i32, ct: i32): void {
  const partH = <i32>Math.floor(<f64>ph / <f64>pooledHeight * <f64>partHeight);
  const partW = <i32>Math.floor(<f64>pw / <f64>pooledWidth * <f64>partWidth);
  const gh = min(max(<i32>Math.floor(<f64>(ph * groupSize) / <f64>pooledHeight), 0), groupSize - 1);
  const gw = min(max(<i32>Math.floor(<f64>(pw * groupSize) / <f64>pooledWidth), 0), groupSize - 1);
  const cls = <i32>Math.floor(<f64>ct / (<f64>outputDim / <f64>classes));
  offsetIndex = ((r * partHeight + partH) * partWidth + partW) * 2 * classes + 2 * cls;
  const tx = <f64>load<f32>(element(offset, offsetIndex)) * transStd;
  const ty = <f64>load<f32>(element(offset, offsetIndex + 1)) * transStd;
  originX = <f64>pw * binWidth + startX + tx * roiWidth;
  originY = <f64>ph * binHeight + startY + ty * roiHeight;
  channel = (ct * groupSize + gh) * groupSize + gw;
}

/** Locates sample `(ih, iw)` of the current entry (not centred in the sub-bins: the peer's convention). */
@inline function locateSample(ih: i32, iw: i32, image: usize): bool {
  return locateP(
      originY + <f64>ih * binHeight / <f64>samplesPerPart,
      originX + <f64>iw * binWidth / <f64>samplesPerPart, image);
}

/** Every entry of `y` `[R, ph, pw, outputDim]`: the mean of its accepted samples, 0 without any. */
export function deformPsRoiPoolForward(
    x: usize, rois: usize, offset: usize, y: usize, batchSize: i32, roiCount: i32): void {
  for (let r = 0, out = y; r < roiCount; r++) {
    const pools = beginRoi(x, rois, r, batchSize);
    for (let ph = 0; ph < pooledHeight; ph++) {
      for (let pw = 0; pw < pooledWidth; pw++) {
        for (let ct = 0; ct < outputDim; ct++, out += 4) {
          store<f32>(out, 0);
          if (!pools) continue;
          beginEntry(offset, r, ph, pw, ct);
          let count = 0;
          for (let ih = 0; ih < samplesPerPart; ih++) {
            for (let iw = 0; iw < samplesPerPart; iw++) {
              if (locateSample(ih, iw, roiImage)) {
                count++;
                accumulateRun(channel, 1, 1, out);
              }
            }
          }
          if (count > 0) {
            store<f32>(out, load<f32>(out) / <f32>count);
          }
        }
      }
    }
  }
}

/** Adds the input and offset gradients into `dx` and `dOffset` (both zero-filled by the caller). */
export function deformPsRoiPoolBackward(
    x: usize, rois: usize, offset: usize, dy: usize, dx: usize, dOffset: usize,
    batchSize: i32, roiCount: i32): void {
  for (let r = 0, grad = dy; r < roiCount; r++) {
    const pools = beginRoi(x, rois, r, batchSize);
    const dxImage = dx + (roiImage - x);
    for (let ph = 0; ph < pooledHeight; ph++) {
      for (let pw = 0; pw < pooledWidth; pw++) {
        for (let ct = 0; ct < outputDim; ct++, grad += 4) {
          if (!pools) continue;
          beginEntry(offset, r, ph, pw, ct);
          // The mean's weight 1 / count is known once the samples are counted.
          let count = 0;
          for (let ih = 0; ih < samplesPerPart; ih++) {
            for (let iw = 0; iw < samplesPerPart; iw++) {
              if (locateSample(ih, iw, roiImage)) count++;
            }
          }
          if (count == 0) continue;
          const weight = <f32>1 / <f32>count;
          let gradX: f32 = 0;
          let gradY: f32 = 0;
          for (let ih = 0; ih < samplesPerPart; ih++) {
            for (let iw = 0; iw < samplesPerPart; iw++) {
              if (!locateSample(ih, iw, roiImage)) continue;
              gatherRun(channel, 1, grad);
              gradX += sumGradX;
              gradY += sumGradY;
              locateSample(ih, iw, dxImage);
              scatterRun(channel, 1, weight, grad);
            }
          }
          const atX = element(dOffset, offsetIndex);
          store<f32>(atX, load<f32>(atX) + <f32>(transStd * roiWidth) * weight * gradX);
          store<f32>(atX, load<f32>(atX, 4) + <f32>(transStd * roiHeight) * weight * gradY, 4);
        }
      }
    }
  }
}
