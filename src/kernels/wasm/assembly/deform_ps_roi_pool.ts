/**
 * DCNv1's deformable position-sensitive RoI pooling on the tfjs wasm heap, as
 * src/kernels/reference/deform_ps_roi_pool.ts computes it: each output entry
 * averages the accepted samples (sampler P) of one input channel, so runs are
 * one channel long. Arguments named like tensors are byte addresses;
 * `params` is a `PsRoiPool` block (params.ts). A pass handles RoIs
 * `[rowStart, rowStart + rowCount)`. A RoI whose batch index is outside
 * `[0, N)` (the op rejects those) pools nothing rather than read outside `x`.
 */
import {accumulateRunAt, GATHER_X, GATHER_Y, gatherRun, scatterRun} from './bilinear_runs';
import {element} from './lanes';
import {PsRoiPool} from './params';
import {clampP, cornersP, insideP, pixelOffset, weightsP} from './sampler_clamped';

/** C's `round`: half away from zero. */
@inline function cRound(v: f64): f64 {
  return Math.sign(v) * Math.floor(Math.abs(v) + 0.5);
}

/**
 * The element index of the Δx (Δy follows) in `offset` `[R, partHeight,
 * partWidth, 2 * classes]` that entry `(r, ph, pw, ct)` is shifted by.
 */
@inline function offsetCell(pool: PsRoiPool, r: i32, ph: i32, pw: i32, ct: i32): i32 {
  const partH = <i32>Math.floor(<f64>ph / <f64>pool.pooledHeight * <f64>pool.partHeight);
  const partW = <i32>Math.floor(<f64>pw / <f64>pool.pooledWidth * <f64>pool.partWidth);
  const cls = <i32>Math.floor(<f64>ct / (<f64>pool.outputDim / <f64>pool.classes));
  return ((r * pool.partHeight + partH) * pool.partWidth + partW) * 2 * pool.classes + 2 * cls;
}

/**
 * Walks the output entries `(r, ph, pw, ct)` of the RoIs of rows
 * `[rowStart, rowStart + rowCount)` and output channels `ct` in
 * `[ctStart, ctEnd)`, calling the pass's `entry` with
 * the entry's index, its RoI's image in `x`, its first sample's position
 * and bin size (in f64, as the reference), its input channel, the
 * element index of its Δx in `offset` (Δy follows), and its RoI's size;
 * `pools` is false for a batch index outside `[0, N)`. Entries of distinct
 * output channels read distinct input channels.
 */
@inline function walkEntries<P>(
    pool: PsRoiPool, spatialScale: f64, transStd: f64, x: usize, rois: usize, offset: usize,
    a: usize, b: usize, c: usize, ctStart: i32, ctEnd: i32, rowStart: i32, rowCount: i32): void {
  const pooledHeight = pool.pooledHeight;
  const pooledWidth = pool.pooledWidth;
  const groupSize = pool.groupSize;
  const outputDim = pool.outputDim;
  for (let r = rowStart; r < rowStart + rowCount; r++) {
    const batch = Math.trunc(<f64>load<f32>(element(rois, 5 * r)));
    const pools = batch >= 0 && batch < <f64>pool.batchSize;
    const image = x + (pools ? <usize>(<i32>batch) * pool.imageBytes : 0);
    const startX = cRound(<f64>load<f32>(element(rois, 5 * r + 1))) * spatialScale - 0.5;
    const startY = cRound(<f64>load<f32>(element(rois, 5 * r + 2))) * spatialScale - 0.5;
    const roiWidth = Math.max((cRound(<f64>load<f32>(element(rois, 5 * r + 3))) + 1) * spatialScale - 0.5 - startX, 0.1);
    const roiHeight = Math.max((cRound(<f64>load<f32>(element(rois, 5 * r + 4))) + 1) * spatialScale - 0.5 - startY, 0.1);
    const binWidth = roiWidth / <f64>pooledWidth;
    const binHeight = roiHeight / <f64>pooledHeight;
    for (let ph = 0; ph < pooledHeight; ph++) {
      for (let pw = 0; pw < pooledWidth; pw++) {
        for (let ct = ctStart; ct < ctEnd; ct++) {
          const entry = ((r * pooledHeight + ph) * pooledWidth + pw) * outputDim + ct;
          if (!pools) {
            changetype<P>(0).entry(pool, false, entry, x, image, 0, 0, 0, 0, 0, 0, 0, 0, a, b, c);
            continue;
          }
          const gh = min(max(<i32>Math.floor(<f64>(ph * groupSize) / <f64>pooledHeight), 0), groupSize - 1);
          const gw = min(max(<i32>Math.floor(<f64>(pw * groupSize) / <f64>pooledWidth), 0), groupSize - 1);
          const offsetIndex = offsetCell(pool, r, ph, pw, ct);
          const tx = <f64>load<f32>(element(offset, offsetIndex)) * transStd;
          const ty = <f64>load<f32>(element(offset, offsetIndex + 1)) * transStd;
          // Samples are not centred in the sub-bins: the peer's convention.
          changetype<P>(0).entry(
              pool, true, entry, x, image, <f64>ph * binHeight + startY + ty * roiHeight,
              <f64>pw * binWidth + startX + tx * roiWidth, binHeight, binWidth, (ct * groupSize + gh) * groupSize + gw, offsetIndex,
              transStd * roiHeight, transStd * roiWidth, a, b, c);
        }
      }
    }
  }
}

/**
 * Not inlined into the walk, unlike the other passes: measured, the walk
 * with this entry inlined ran at half the speed of the former loops; as a
 * function it is faster than them.
 */
@final @unmanaged class Forward {
  entry(
      pool: PsRoiPool, pools: bool, entry: i32, x: usize, image: usize, top: f64, left: f64,
      binHeight: f64, binWidth: f64, channel: i32, offsetIndex: i32, scaleY: f64, scaleX: f64,
      y: usize, b: usize, c: usize): void {
    const out = element(y, entry);
    store<f32>(out, 0);
    if (!pools) return;
    const height = pool.height;
    const width = pool.width;
    const channels = pool.channels;
    const samples = pool.samplesPerPart;
    const perAxis = <f64>samples;
    let count = 0;
    for (let ih = 0; ih < samples; ih++) {
      const sy = top + <f64>ih * binHeight / perAxis;
      for (let iw = 0; iw < samples; iw++) {
        const sx = left + <f64>iw * binWidth / perAxis;
        if (insideP(height, width, sy, sx)) {
          count++;
          // Located inline, as scalars (a run here is one channel long).
          const cy = clampP(sy, height);
          const cx = clampP(sx, width);
          const fy = Math.floor(cy);
          const fx = Math.floor(cx);
          const y0 = <i32>fy;
          const y1 = <i32>Math.ceil(cy);
          const x0 = <i32>fx;
          const x1 = <i32>Math.ceil(cx);
          accumulateRunAt(
              image + <usize>pixelOffset(width, channels, y0, x0),
              image + <usize>pixelOffset(width, channels, y0, x1),
              image + <usize>pixelOffset(width, channels, y1, x0),
              image + <usize>pixelOffset(width, channels, y1, x1), <f32>(cy - fy), <f32>(cx - fx),
              channel, 1, 1, out);
        }
      }
    }
    if (count > 0) {
      store<f32>(out, load<f32>(out) / <f32>count);
    }
  }
}

/**
 * The input gradient (scattered into `dx`) and each entry's part of the
 * offset gradient, `(Δx, Δy)` into `entryGrads` `[R, ph, pw, outputDim, 2]`:
 * entries of one RoI share offset cells, so they are summed apart
 * (`deformPsRoiPoolOffsetSum`) and threads can split this pass by output
 * channels.
 */
@final @unmanaged class Backward {
  @inline entry(
      pool: PsRoiPool, pools: bool, entry: i32, x: usize, image: usize, top: f64, left: f64,
      binHeight: f64, binWidth: f64, channel: i32, offsetIndex: i32, scaleY: f64, scaleX: f64,
      dy: usize, dx: usize, entryGrads: usize): void {
    const entryGrad = element(entryGrads, 2 * entry);
    store<f32>(entryGrad, 0);
    store<f32>(entryGrad, 0, 4);
    if (!pools) return;
    const grad = element(dy, entry);
    const dxImage = dx + (image - x);
    const height = pool.height;
    const width = pool.width;
    const channels = pool.channels;
    const samples = pool.samplesPerPart;
    const perAxis = <f64>samples;
    // The mean's weight 1 / count is known once the samples are counted.
    let count = 0;
    for (let ih = 0; ih < samples; ih++) {
      const sy = top + <f64>ih * binHeight / perAxis;
      for (let iw = 0; iw < samples; iw++) {
        if (insideP(height, width, sy, left + <f64>iw * binWidth / perAxis)) count++;
      }
    }
    if (count == 0) return;
    const weight = <f32>1 / <f32>count;
    let gradX: f32 = 0;
    let gradY: f32 = 0;
    for (let ih = 0; ih < samples; ih++) {
      const sy = top + <f64>ih * binHeight / perAxis;
      for (let iw = 0; iw < samples; iw++) {
        const sx = left + <f64>iw * binWidth / perAxis;
        if (!insideP(height, width, sy, sx)) continue;
        const corners = cornersP(height, width, channels, sy, sx);
        const weights = weightsP(height, width, sy, sx);
        const sums = gatherRun(image, 0, corners, weights, weights, channel, 1, grad);
        gradX += f32x4.extract_lane(sums, GATHER_X);
        gradY += f32x4.extract_lane(sums, GATHER_Y);
        // The same corners in dx: the transpose of the forward.
        scatterRun(dxImage, corners, weights, channel, 1, weight, grad);
      }
    }
    store<f32>(entryGrad, <f32>scaleX * weight * gradX);
    store<f32>(entryGrad, <f32>scaleY * weight * gradY, 4);
  }
}

/** Every entry of `y` `[R, ph, pw, outputDim]` in the rows' RoIs: the mean of its accepted samples, 0 without any. */
export function deformPsRoiPoolForward(
    params: usize, x: usize, rois: usize, offset: usize, y: usize, spatialScale: f64,
    transStd: f64, rowStart: i32, rowCount: i32): void {
  const pool = changetype<PsRoiPool>(params);
  walkEntries<Forward>(
      pool, spatialScale, transStd, x, rois, offset, y, 0, 0, 0, pool.outputDim, rowStart,
      rowCount);
}

/**
 * Adds the input gradient of the rows' entries of output channels
 * `[channelStart, channelStart + channelCount)` into `dx` (zero-filled by the
 * caller) and writes their parts of the offset gradient into `entryGrads`
 * (`Backward`); distinct channel ranges write distinct elements of both.
 */
export function deformPsRoiPoolBackward(
    params: usize, x: usize, rois: usize, offset: usize, dy: usize, dx: usize, entryGrads: usize,
    spatialScale: f64, transStd: f64, channelStart: i32, channelCount: i32, rowStart: i32,
    rowCount: i32): void {
  walkEntries<Backward>(
      changetype<PsRoiPool>(params), spatialScale, transStd, x, rois, offset, dy, dx, entryGrads,
      channelStart, channelStart + channelCount, rowStart, rowCount);
}

/**
 * Every entry of `dOffset` of the rows' RoIs: the sum of their entries' parts
 * in `entryGrads`, added in entry order (as one walk adding them in place
 * would: the result does not depend on how the backward was split).
 */
export function deformPsRoiPoolOffsetSum(
    params: usize, entryGrads: usize, dOffset: usize, rowStart: i32, rowCount: i32): void {
  const pool = changetype<PsRoiPool>(params);
  const cells = pool.partHeight * pool.partWidth * 2 * pool.classes;
  memory.fill(element(dOffset, rowStart * cells), 0, <usize>(rowCount * cells) << 2);
  let entry = rowStart * pool.pooledHeight * pool.pooledWidth * pool.outputDim;
  for (let r = rowStart; r < rowStart + rowCount; r++) {
    for (let ph = 0; ph < pool.pooledHeight; ph++) {
      for (let pw = 0; pw < pool.pooledWidth; pw++) {
        for (let ct = 0; ct < pool.outputDim; ct++, entry++) {
          const at = element(dOffset, offsetCell(pool, r, ph, pw, ct));
          const from = element(entryGrads, 2 * entry);
          store<f32>(at, load<f32>(at) + load<f32>(from));
          store<f32>(at, load<f32>(at, 4) + load<f32>(from, 4), 4);
        }
      }
    }
  }
}
