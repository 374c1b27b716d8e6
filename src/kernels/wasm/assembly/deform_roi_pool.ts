/**
 * mmcv's DeformRoIPool (and its modulated variant) on the tfjs wasm heap, as
 * src/kernels/reference/deform_roi_pool.ts computes it: per bin, the average
 * of `gh x gw` samples of sampler A over all channels (SIMD runs). Arguments
 * named like tensors are byte addresses (`mask` 0 when absent); call
 * `setImage(H, W, C)` first. A RoI whose batch index is outside `[0, N)`
 * (the op rejects those) pools nothing rather than read outside `x`.
 */
import {accumulateRun, gatherRun, scatterRun, sumGradX, sumGradY} from './bilinear_runs';
import {channels, inHeight, inWidth} from './geometry';
import {element, scaleRun} from './lanes';
import {locateA} from './sampler_clamped';

/** The current RoI, set by `beginRoi`, in f64 as the reference computes it. */
let roiImage: usize = 0;
let startX: f64 = 0;
let startY: f64 = 0;
let roiWidth: f64 = 0;
let roiHeight: f64 = 0;
let binWidth: f64 = 0;
let binHeight: f64 = 0;
let gridWidth: i32 = 0;
let gridHeight: i32 = 0;

/**
 * Makes RoI `r` current. False when it pools nothing: a batch index outside
 * `[0, N)`, or an empty, inverted or non-finite RoI with adaptive sampling.
 */
function beginRoi(
    x: usize, rois: usize, r: i32, batchSize: i32, pooledHeight: i32,
    pooledWidth: i32, spatialScale: f64, samplingRatio: i32): bool {
  const batch = Math.trunc(<f64>load<f32>(element(rois, 5 * r)));
  if (!(batch >= 0 && batch < <f64>batchSize)) {
    return false;
  }
  roiImage = element(x, <i32>batch * inHeight * inWidth * channels);
  startX = <f64>load<f32>(element(rois, 5 * r + 1)) * spatialScale - 0.5;
  startY = <f64>load<f32>(element(rois, 5 * r + 2)) * spatialScale - 0.5;
  roiWidth = <f64>load<f32>(element(rois, 5 * r + 3)) * spatialScale - 0.5 - startX;
  roiHeight = <f64>load<f32>(element(rois, 5 * r + 4)) * spatialScale - 0.5 - startY;
  binHeight = roiHeight / <f64>pooledHeight;
  binWidth = roiWidth / <f64>pooledWidth;
  const gh = samplingRatio > 0 ? <f64>samplingRatio : Math.ceil(roiHeight / <f64>pooledHeight);
  const gw = samplingRatio > 0 ? <f64>samplingRatio : Math.ceil(roiWidth / <f64>pooledWidth);
  // The positive tests reject NaN too.
  if (!(gh > 0 && gw > 0)) {
    return false;
  }
  gridHeight = <i32>gh;
  gridWidth = <i32>gw;
  return true;
}

/** Position of sample `(iy, ix)` of bin `(ph, pw)` shifted by `(shiftY, shiftX)`. */
@inline function sampleY(ph: i32, iy: i32, shiftY: f64): f64 {
  return startY + shiftY + <f64>ph * binHeight + (<f64>iy + 0.5) * binHeight / <f64>gridHeight;
}

@inline function sampleX(pw: i32, ix: i32, shiftX: f64): f64 {
  return startX + shiftX + <f64>pw * binWidth + (<f64>ix + 0.5) * binWidth / <f64>gridWidth;
}

/** Every entry of `y` `[R, ph, pw, C]`, times `mask` `[R, ph, pw]` when given. */
export function deformRoiPoolForward(
    x: usize, rois: usize, offset: usize, mask: usize, y: usize, batchSize: i32,
    roiCount: i32, pooledHeight: i32, pooledWidth: i32, spatialScale: f64,
    samplingRatio: i32, gamma: f64): void {
  const binBytes = <usize>channels << 2;
  memory.fill(y, 0, <usize>(roiCount * pooledHeight * pooledWidth) * binBytes);
  for (let r = 0; r < roiCount; r++) {
    const pools = beginRoi(
        x, rois, r, batchSize, pooledHeight, pooledWidth, spatialScale, samplingRatio);
    for (let ph = 0; ph < pooledHeight; ph++) {
      for (let pw = 0; pw < pooledWidth; pw++) {
        const bin = (r * pooledHeight + ph) * pooledWidth + pw;
        const out = element(y, bin * channels);
        if (pools) {
          const shiftX = gamma * roiWidth * <f64>load<f32>(element(offset, 2 * bin));
          const shiftY = gamma * roiHeight * <f64>load<f32>(element(offset, 2 * bin + 1));
          const weight = <f32>(1 / (<f64>gridHeight * <f64>gridWidth));
          for (let iy = 0; iy < gridHeight; iy++) {
            const sy = sampleY(ph, iy, shiftY);
            for (let ix = 0; ix < gridWidth; ix++) {
              if (locateA(sy, sampleX(pw, ix, shiftX), roiImage)) {
                accumulateRun(0, channels, weight, out);
              }
            }
          }
        }
        if (mask != 0) {
          scaleRun(out, load<f32>(element(mask, bin)), channels);
        }
      }
    }
  }
}

/**
 * Adds the input gradient into `dx` (zero-filled by the caller) and writes
 * every entry of `dOffset` `[R, ph, pw, 2]`.
 */
export function deformRoiPoolBackward(
    x: usize, rois: usize, offset: usize, dy: usize, dx: usize, dOffset: usize,
    batchSize: i32, roiCount: i32, pooledHeight: i32, pooledWidth: i32,
    spatialScale: f64, samplingRatio: i32, gamma: f64): void {
  for (let r = 0; r < roiCount; r++) {
    const pools = beginRoi(
        x, rois, r, batchSize, pooledHeight, pooledWidth, spatialScale, samplingRatio);
    const dxImage = dx + (roiImage - x);
    for (let ph = 0; ph < pooledHeight; ph++) {
      for (let pw = 0; pw < pooledWidth; pw++) {
        const bin = (r * pooledHeight + ph) * pooledWidth + pw;
        let gradX: f64 = 0;
        let gradY: f64 = 0;
        if (pools) {
          const grad = element(dy, bin * channels);
          const shiftX = gamma * roiWidth * <f64>load<f32>(element(offset, 2 * bin));
          const shiftY = gamma * roiHeight * <f64>load<f32>(element(offset, 2 * bin + 1));
          const weight = 1 / (<f64>gridHeight * <f64>gridWidth);
          // Applied per sample, as the reference: a RoI with no sample in the
          // window gets 0 even when its size is not finite.
          const scaleX = gamma * roiWidth * weight;
          const scaleY = gamma * roiHeight * weight;
          for (let iy = 0; iy < gridHeight; iy++) {
            const sy = sampleY(ph, iy, shiftY);
            for (let ix = 0; ix < gridWidth; ix++) {
              const sx = sampleX(pw, ix, shiftX);
              if (!locateA(sy, sx, roiImage)) continue;
              gatherRun(0, channels, grad);
              gradX += scaleX * <f64>sumGradX;
              gradY += scaleY * <f64>sumGradY;
              // The same position in dx: its corners, then the transpose of the forward.
              locateA(sy, sx, dxImage);
              scatterRun(0, channels, <f32>weight, grad);
            }
          }
        }
        store<f32>(element(dOffset, 2 * bin), <f32>gradX);
        store<f32>(element(dOffset, 2 * bin + 1), <f32>gradY);
      }
    }
  }
}
