/**
 * mmcv's DeformRoIPool (and its modulated variant) on the tfjs wasm heap, as
 * src/kernels/reference/deform_roi_pool.ts computes it: per bin, the average
 * of `gh x gw` samples of sampler A over all channels (SIMD runs), of which
 * only those that can be inside the map are visited. Arguments
 * named like tensors are byte addresses (`mask` 0 when absent); `params` is
 * a `RoiPool` block (params.ts). A pass handles RoIs `[rowStart, rowStart +
 * rowCount)`. A RoI whose batch index is outside `[0, N)` (the op rejects
 * those) pools nothing rather than read outside `x`.
 */
import {accumulateRun, GATHER_X, GATHER_Y, gatherRun, scatterRun} from './bilinear_runs';
import {element, scaleRun} from './lanes';
import {RoiPool} from './params';
import {cornersA, derivativeA, insideA, weightsA} from './sampler_clamped';

/** Position of sample `first + k` of a bin of `size` starting at `start`, with `grid` samples. */
@inline function samplePosition(start: f64, size: f64, first: f64, k: i32, grid: f64): f64 {
  return start + (first + <f64>k + 0.5) * size / grid;
}

/**
 * The first of one axis's grid points that can fall inside sampler A's
 * window `[-1, size]` (closed form, widened by one; docs/semantics.md §4.2,
 * as `windowedSamples` in src/shape/roi_pool.ts), and with
 * {@link windowCount} how many from there: the work is bounded by the map,
 * not by the RoI. NaN fails every comparison: no samples.
 */
@inline function windowFirst(origin: f64, extent: f64, grid: f64, size: f64): f64 {
  const step = extent / grid;
  if (step == 0) return 0;
  return Math.max(0, Math.ceil(Math.min((-1 - origin) / step, (size - origin) / step) - 0.5) - 1);
}

@inline function windowCount(origin: f64, extent: f64, grid: f64, size: f64, first: f64): i32 {
  if (!(grid > 0) || !isFinite(origin) || !isFinite(extent)) return 0;
  const step = extent / grid;
  if (step == 0) return origin >= -1 && origin <= size ? <i32>grid : 0;
  const last = Math.min(grid - 1, Math.floor(Math.max((-1 - origin) / step, (size - origin) / step) - 0.5) + 1);
  const most = Math.ceil((size + 1) / Math.abs(step)) + 3;
  return <i32>Math.max(0, Math.min(last - first + 1, most));
}

/**
 * Walks the bins of the RoIs of rows `[rowStart, rowStart + rowCount)`,
 * calling the pass's inlined `bin` with its RoI's image in `x`, position and
 * size (in f64, as the reference computes them) and sampling grid; `pools`
 * is false for a RoI that pools nothing: a batch index outside `[0, N)`, or
 * an empty, inverted or non-finite RoI with adaptive sampling.
 */
@inline function walkBins<P>(
    pool: RoiPool, spatialScale: f64, gamma: f64, x: usize, rois: usize, offset: usize,
    mask: usize, a: usize, b: usize, c: usize, d: usize, rowStart: i32, rowCount: i32): void {
  const pooledHeight = pool.pooledHeight;
  const pooledWidth = pool.pooledWidth;
  for (let r = rowStart; r < rowStart + rowCount; r++) {
    const batch = Math.trunc(<f64>load<f32>(element(rois, 5 * r)));
    const inBatch = batch >= 0 && batch < <f64>pool.batchSize;
    const image = x + (inBatch ? <usize>(<i32>batch) * pool.imageBytes : 0);
    const startX = <f64>load<f32>(element(rois, 5 * r + 1)) * spatialScale - 0.5;
    const startY = <f64>load<f32>(element(rois, 5 * r + 2)) * spatialScale - 0.5;
    const roiWidth = <f64>load<f32>(element(rois, 5 * r + 3)) * spatialScale - 0.5 - startX;
    const roiHeight = <f64>load<f32>(element(rois, 5 * r + 4)) * spatialScale - 0.5 - startY;
    const binHeight = roiHeight / <f64>pooledHeight;
    const binWidth = roiWidth / <f64>pooledWidth;
    const gh = pool.samplingRatio > 0 ? <f64>pool.samplingRatio : Math.ceil(roiHeight / <f64>pooledHeight);
    const gw = pool.samplingRatio > 0 ? <f64>pool.samplingRatio : Math.ceil(roiWidth / <f64>pooledWidth);
    // The positive tests reject NaN too.
    const pools = inBatch && gh > 0 && gw > 0;
    for (let ph = 0; ph < pooledHeight; ph++) {
      for (let pw = 0; pw < pooledWidth; pw++) {
        const bin = (r * pooledHeight + ph) * pooledWidth + pw;
        // Each bin's offset is relative to its RoI's size.
        const shiftX = gamma * roiWidth * <f64>load<f32>(element(offset, 2 * bin));
        const shiftY = gamma * roiHeight * <f64>load<f32>(element(offset, 2 * bin + 1));
        const top = startY + shiftY + <f64>ph * binHeight;
        const left = startX + shiftX + <f64>pw * binWidth;
        const firstY = windowFirst(top, binHeight, gh, <f64>pool.height);
        const firstX = windowFirst(left, binWidth, gw, <f64>pool.width);
        const rowsY = pools ? windowCount(top, binHeight, gh, <f64>pool.height, firstY) : 0;
        const rowsX = pools ? windowCount(left, binWidth, gw, <f64>pool.width, firstX) : 0;
        changetype<P>(0).bin(
            pool, pools, x, image, bin, top, left, binHeight, binWidth, gh, gw, firstY, rowsY,
            firstX, rowsX, gamma * roiHeight, gamma * roiWidth, mask, a, b, c, d);
      }
    }
  }
}

@final @unmanaged class Forward {
  @inline bin(
      pool: RoiPool, pools: bool, x: usize, image: usize, bin: i32, top: f64, left: f64,
      binHeight: f64, binWidth: f64, gridHeight: f64, gridWidth: f64, firstY: f64, rowsY: i32,
      firstX: f64, rowsX: i32, scaleY: f64, scaleX: f64, mask: usize, y: usize, b: usize,
      c: usize, d: usize): void {
    const height = pool.height;
    const width = pool.width;
    const channels = pool.channels;
    const out = element(y, bin * channels);
    memory.fill(out, 0, <usize>channels << 2);
    if (pools) {
      const weight = <f32>(1 / (gridHeight * gridWidth));
      for (let ky = 0; ky < rowsY; ky++) {
        const sy = samplePosition(top, binHeight, firstY, ky, gridHeight);
        for (let kx = 0; kx < rowsX; kx++) {
          const sx = samplePosition(left, binWidth, firstX, kx, gridWidth);
          if (insideA(height, width, sy, sx)) {
            accumulateRun(
                image, 0, cornersA(height, width, channels, sy, sx), weightsA(height, width, sy, sx),
                0, channels, weight, out);
          }
        }
      }
    }
    if (mask != 0) {
      scaleRun(out, load<f32>(element(mask, bin)), channels);
    }
  }
}

/** The offset gradient of each bin (a gather over all channels): `a` is dy, `b` dOffset. */
@final @unmanaged class OffsetBackward {
  @inline bin(
      pool: RoiPool, pools: bool, x: usize, image: usize, bin: i32, top: f64, left: f64,
      binHeight: f64, binWidth: f64, gridHeight: f64, gridWidth: f64, firstY: f64, rowsY: i32,
      firstX: f64, rowsX: i32, scaleY: f64, scaleX: f64, mask: usize, dy: usize, dOffset: usize,
      c: usize, d: usize): void {
    const height = pool.height;
    const width = pool.width;
    const channels = pool.channels;
    let gradX: f64 = 0;
    let gradY: f64 = 0;
    if (pools) {
      const grad = element(dy, bin * channels);
      const weight = 1 / (gridHeight * gridWidth);
      // Applied per sample, as the reference: a RoI with no sample in the
      // window gets 0 even when its size is not finite.
      const perSampleX = scaleX * weight;
      const perSampleY = scaleY * weight;
      for (let ky = 0; ky < rowsY; ky++) {
        const sy = samplePosition(top, binHeight, firstY, ky, gridHeight);
        for (let kx = 0; kx < rowsX; kx++) {
          const sx = samplePosition(left, binWidth, firstX, kx, gridWidth);
          if (!insideA(height, width, sy, sx)) continue;
          const sums = gatherRun(
              image, 0, cornersA(height, width, channels, sy, sx), weightsA(height, width, sy, sx),
              derivativeA(height, width, sy, sx), 0, channels, grad);
          gradX += perSampleX * <f64>f32x4.extract_lane(sums, GATHER_X);
          gradY += perSampleY * <f64>f32x4.extract_lane(sums, GATHER_Y);
        }
      }
    }
    store<f32>(element(dOffset, 2 * bin), <f32>gradX);
    store<f32>(element(dOffset, 2 * bin + 1), <f32>gradY);
  }
}

/**
 * The input gradient (a scatter, the transpose of the forward): `a` is dy,
 * `b` dx, and only its channels `[c, d)` are written (disjoint channel
 * ranges write disjoint elements: threads split the scatter that way).
 */
@final @unmanaged class InputBackward {
  @inline bin(
      pool: RoiPool, pools: bool, x: usize, image: usize, bin: i32, top: f64, left: f64,
      binHeight: f64, binWidth: f64, gridHeight: f64, gridWidth: f64, firstY: f64, rowsY: i32,
      firstX: f64, rowsX: i32, scaleY: f64, scaleX: f64, mask: usize, dy: usize, dx: usize,
      channelStart: usize, channelEnd: usize): void {
    if (!pools) return;
    const height = pool.height;
    const width = pool.width;
    const channels = pool.channels;
    const first = <i32>channelStart;
    const count = <i32>channelEnd - first;
    const grad = element(dy, bin * channels + first);
    const dxImage = dx + (image - x);
    const weight = <f32>(1 / (gridHeight * gridWidth));
    for (let ky = 0; ky < rowsY; ky++) {
      const sy = samplePosition(top, binHeight, firstY, ky, gridHeight);
      for (let kx = 0; kx < rowsX; kx++) {
        const sx = samplePosition(left, binWidth, firstX, kx, gridWidth);
        if (!insideA(height, width, sy, sx)) continue;
        scatterRun(
            dxImage, cornersA(height, width, channels, sy, sx), weightsA(height, width, sy, sx),
            first, count, weight, grad);
      }
    }
  }
}

/** Every entry of `y` `[R, ph, pw, C]` in the rows' RoIs, times `mask` `[R, ph, pw]` when given. */
export function deformRoiPoolForward(
    params: usize, x: usize, rois: usize, offset: usize, mask: usize, y: usize,
    spatialScale: f64, gamma: f64, rowStart: i32, rowCount: i32): void {
  walkBins<Forward>(
      changetype<RoiPool>(params), spatialScale, gamma, x, rois, offset, mask, y, 0, 0, 0,
      rowStart, rowCount);
}

/** Every entry of `dOffset` `[R, ph, pw, 2]` of the rows' RoIs (a gather: threads split it by RoIs). */
export function deformRoiPoolBackwardOffset(
    params: usize, x: usize, rois: usize, offset: usize, dy: usize, dOffset: usize,
    spatialScale: f64, gamma: f64, rowStart: i32, rowCount: i32): void {
  walkBins<OffsetBackward>(
      changetype<RoiPool>(params), spatialScale, gamma, x, rois, offset, 0, dy, dOffset, 0, 0,
      rowStart, rowCount);
}

/**
 * Adds the input gradient of the rows' RoIs into channels `[channelStart,
 * channelStart + channelCount)` of `dx` (zero-filled by the caller).
 */
export function deformRoiPoolBackwardInput(
    params: usize, x: usize, rois: usize, offset: usize, dy: usize, dx: usize,
    spatialScale: f64, gamma: f64, channelStart: i32, channelCount: i32, rowStart: i32,
    rowCount: i32): void {
  walkBins<InputBackward>(
      changetype<RoiPool>(params), spatialScale, gamma, x, rois, offset, 0, dy, dx,
      <usize>channelStart, <usize>(channelStart + channelCount), rowStart, rowCount);
}
