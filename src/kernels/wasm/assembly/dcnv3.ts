/**
 * InternImage's DCNv3 core on the tfjs wasm heap, as
 * src/kernels/reference/dcnv3.ts computes it, with sampler Z (sampler_z.ts)
 * over each group's contiguous NHWC channels. Arguments named like tensors
 * are byte addresses; `zeros` is a zero-filled pixel (`channels` floats).
 * Call `setGeometry` first with `groups` as both the groups and the offset
 * groups, so a run is one group's channels.
 *
 * Sample `(position, g, p)` is at index `(position * groups + g) * points + p`
 * of `mask` and twice that of `offset`, (Δx, Δy); points are column-major
 * (kernel column `a` outermost), the centre skipped with `removeCenter`.
 */
import {beginRow, centredTapX, centredTapY, channels, channelsPerOffsetGroup, filterHeight, filterWidth, offsetGroups, rowCentreX, rowCentreY, rowImage, scaledTapX, scaledTapY} from './geometry';
import {element} from './lanes';
import {gatherRun, locate, locateQuad, QUAD_BYTES, scatterRun, sumGradX, sumGradY, sumValue, weightedSumRun} from './sampler_z';

@inline function pointsPerGroup(removeCenter: bool): i32 {
  return filterHeight * filterWidth - (removeCenter ? 1 : 0);
}

@inline function isSkippedCentre(a: i32, b: i32, removeCenter: bool): bool {
  return removeCenter && a == filterWidth / 2 && b == filterHeight / 2;
}

/** Locates point `(b, a)` of the current row with the offsets of `sample`, in `image`. */
@inline function locatePoint(
    offset: usize, sample: i32, a: i32, b: i32, scale: f64, image: usize,
    zeros: usize): bool {
  const at = element(offset, 2 * sample);
  return locate(
      scaledTapY(b, scale, load<f32>(at, 4)),
      scaledTapX(a, scale, load<f32>(at)), image, zeros);
}

/** Points per group rounded up to whole quads (four SIMD lanes). */
@inline function quadPoints(removeCenter: bool): i32 {
  return (pointsPerGroup(removeCenter) + 3) & ~3;
}

/**
 * Bytes of the scratch `dcnv3Forward` needs (after `setGeometry`): the
 * centred kernel grid (x then y, per point), a padded copy of the last
 * partial quad's offsets and mask, and one group's located samples.
 */
export function dcnv3ScratchBytes(removeCenter: bool): usize {
  const quads = <usize>(quadPoints(removeCenter) >> 2);
  return quads * 32 + TAIL_BYTES + quads * QUAD_BYTES;
}

/** Offsets (8 floats) and mask (4 floats) of one quad. */
const TAIL_BYTES: usize = 48;

/** Writes the centred kernel grid, x at `grid` and y after it (`quadPoints` floats each, 0 past the end). */
function writeGrid(grid: usize, removeCenter: bool): void {
  const padded = quadPoints(removeCenter);
  memory.fill(grid, 0, <usize>padded << 3);
  for (let a = 0, p = 0; a < filterWidth; a++) {
    for (let b = 0; b < filterHeight; b++) {
      if (isSkippedCentre(a, b, removeCenter)) continue;
      store<f32>(element(grid, p), <f32>centredTapX(a));
      store<f32>(element(grid, padded + p), <f32>centredTapY(b));
      p++;
    }
  }
}

/**
 * Every entry of `y` `[positions, channels]`: per group, the mask-weighted sum
 * of its samples. Samples are located four at a time (f32 lanes, as the GPU
 * kernels compute positions) into `scratch` (`dcnv3ScratchBytes`); then each
 * output channel is summed in registers and written once.
 */
export function dcnv3Forward(
    x: usize, offset: usize, mask: usize, y: usize, zeros: usize,
    scratch: usize, scale: f32, removeCenter: bool, positions: i32): void {
  const points = pointsPerGroup(removeCenter);
  const padded = quadPoints(removeCenter);
  const grid = scratch;
  const tail = grid + (<usize>padded << 3);
  const samples = tail + TAIL_BYTES;
  writeGrid(grid, removeCenter);
  const groupChannels = channelsPerOffsetGroup;
  const s = f32x4.splat(scale);
  const total = positions * offsetGroups * points;
  for (let position = 0; position < positions; position++) {
    beginRow(x, position);
    const centreY = f32x4.splat(<f32>rowCentreY());
    const centreX = f32x4.splat(<f32>rowCentreX());
    const out = element(y, position * channels);
    for (let g = 0; g < offsetGroups; g++) {
      const first = (position * offsetGroups + g) * points;
      for (let p = 0; p < points; p += 4) {
        let offsets = element(offset, 2 * (first + p));
        let weights = element(mask, first + p);
        if (first + p + 4 > total) {
          // The tensors' last quad is partial: read only its own samples. (Other
          // partial quads read the next group's, into lanes that are never summed.)
          memory.fill(tail, 0, TAIL_BYTES);
          memory.copy(tail, offsets, <usize>(points - p) << 3);
          memory.copy(tail + 32, weights, <usize>(points - p) << 2);
          offsets = tail;
          weights = tail + 32;
        }
        // (dx, dy) pairs of four points, split into x and y lanes.
        const pairs01 = v128.load(offsets);
        const pairs23 = v128.load(offsets, 16);
        const dx = v128.shuffle<f32>(pairs01, pairs23, 0, 2, 4, 6);
        const dy = v128.shuffle<f32>(pairs01, pairs23, 1, 3, 5, 7);
        const sampleY = f32x4.add(centreY, f32x4.mul(s, f32x4.add(v128.load(element(grid, padded + p)), dy)));
        const sampleX = f32x4.add(centreX, f32x4.mul(s, f32x4.add(v128.load(element(grid, p)), dx)));
        locateQuad(sampleY, sampleX, v128.load(weights), rowImage, zeros, samples + <usize>(p >> 2) * QUAD_BYTES);
      }
      weightedSumRun(samples, points, g * groupChannels, groupChannels, element(out, g * groupChannels));
    }
  }
}

/**
 * Every entry of `dOffset` and `dMask` (0 for samples outside the window),
 * and adds the input gradient into `dx` (zero-filled by the caller).
 */
export function dcnv3Backward(
    x: usize, offset: usize, mask: usize, dy: usize, dx: usize, dOffset: usize,
    dMask: usize, zeros: usize, scale: f64, removeCenter: bool,
    positions: i32): void {
  const points = pointsPerGroup(removeCenter);
  const groupChannels = channelsPerOffsetGroup;
  const s = <f32>scale;
  for (let position = 0; position < positions; position++) {
    beginRow(x, position);
    const dxImage = dx + (rowImage - x);
    for (let g = 0; g < offsetGroups; g++) {
      const first = g * groupChannels;
      const grad = element(dy, position * channels + first);
      for (let a = 0, p = 0; a < filterWidth; a++) {
        for (let b = 0; b < filterHeight; b++) {
          if (isSkippedCentre(a, b, removeCenter)) continue;
          const sample = (position * offsetGroups + g) * points + p++;
          let gradX: f32 = 0;
          let gradY: f32 = 0;
          let gradMask: f32 = 0;
          if (locatePoint(offset, sample, a, b, scale, rowImage, zeros)) {
            const m = load<f32>(element(mask, sample));
            gatherRun(first, groupChannels, grad);
            gradX = s * m * sumGradX;
            gradY = s * m * sumGradY;
            gradMask = sumValue;
            // The same position in dx: its corners, then the transpose of the forward.
            locatePoint(offset, sample, a, b, scale, dxImage, zeros);
            scatterRun(first, groupChannels, m, grad);
          }
          store<f32>(element(dOffset, 2 * sample), gradX);
          store<f32>(element(dOffset, 2 * sample + 1), gradY);
          store<f32>(element(dMask, sample), gradMask);
        }
      }
    }
  }
}
