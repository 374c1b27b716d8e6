/**
 * InternImage's DCNv3 core on the tfjs wasm heap, as
 * src/kernels/reference/dcnv3.ts computes it, with sampler Z (sampler_z.ts)
 * over each group's contiguous NHWC channels. Arguments named like tensors
 * are byte addresses; `zeros` is a zero-filled pixel (`channels` floats).
 * `params` is a `Window` block (params.ts) with `groups` as both the groups
 * and the offset groups, so a run is one group's channels. A pass handles
 * output positions `[rowStart, rowStart + rowCount)`.
 *
 * Sample `(position, g, p)` is at index `(position * groups + g) * points + p`
 * of `mask` and twice that of `offset`, (Δx, Δy); points are column-major
 * (kernel column `a` outermost), the centre skipped with `removeCenter`.
 */
import {element} from './lanes';
import {positionImage, positionLeft, positionTop, Window} from './params';
import {cornersZ, gatherRun, GATHER_VALUE, GATHER_X, GATHER_Y, insideZ, locateQuad, QUAD_BYTES, scatterRun, weightedSumRun, weightsZ} from './sampler_z';

@inline function pointsPerGroup(w: Window, removeCenter: bool): i32 {
  return w.taps - (removeCenter ? 1 : 0);
}

@inline function isSkippedCentre(w: Window, a: i32, b: i32, removeCenter: bool): bool {
  return removeCenter && a == w.filterWidth / 2 && b == w.filterHeight / 2;
}

/** DCNv3's kernel row `b` (column `a`) relative to the kernel centre, before its offset scale. */
@inline function centredTapY(w: Window, b: i32): i32 {
  return b * w.dilationHeight - w.centreHeight;
}

@inline function centredTapX(w: Window, a: i32): i32 {
  return a * w.dilationWidth - w.centreWidth;
}

/** `points` rounded up to whole quads (four SIMD lanes). */
@inline function quadPoints(points: i32): i32 {
  return (points + 3) & ~3;
}

/**
 * Bytes of the scratch `dcnv3Forward` needs for `points` points per group
 * (`taps`, less the centre with `removeCenter`): the centred kernel grid
 * (x then y, per point), a padded copy of the last partial quad's offsets
 * and mask, and one group's located samples.
 */
export function dcnv3ScratchBytes(points: i32): usize {
  const quads = <usize>(quadPoints(points) >> 2);
  return quads * 32 + TAIL_BYTES + quads * QUAD_BYTES;
}

/** Offsets (8 floats) and mask (4 floats) of one quad. */
const TAIL_BYTES: usize = 48;

/** Writes the centred kernel grid, x at `grid` and y after it (`quadPoints` floats each, 0 past the end). */
function writeGrid(w: Window, grid: usize, removeCenter: bool): void {
  const padded = quadPoints(pointsPerGroup(w, removeCenter));
  memory.fill(grid, 0, <usize>padded << 3);
  for (let a = 0, p = 0; a < w.filterWidth; a++) {
    for (let b = 0; b < w.filterHeight; b++) {
      if (isSkippedCentre(w, a, b, removeCenter)) continue;
      store<f32>(element(grid, p), <f32>centredTapX(w, a));
      store<f32>(element(grid, padded + p), <f32>centredTapY(w, b));
      p++;
    }
  }
}

/**
 * Every entry of `y` `[positions, channels]` in the rows: per group, the mask-weighted sum
 * of its samples. Samples are located four at a time (f32 lanes, as the GPU
 * kernels compute positions) into `scratch` (`dcnv3ScratchBytes`); then each
 * output channel is summed in registers and written once.
 */
export function dcnv3Forward(
    params: usize, x: usize, offset: usize, mask: usize, y: usize, zeros: usize,
    scratch: usize, scale: f32, removeCenter: bool, rowStart: i32, rowCount: i32): void {
  const w = changetype<Window>(params);
  const points = pointsPerGroup(w, removeCenter);
  const padded = quadPoints(points);
  const grid = scratch;
  const tail = grid + (<usize>padded << 3);
  const samples = tail + TAIL_BYTES;
  writeGrid(w, grid, removeCenter);
  const groups = w.offsetGroups;
  const channels = w.channels;
  const groupChannels = w.channelsPerOffsetGroup;
  const centreHeight = w.centreHeight;
  const centreWidth = w.centreWidth;
  const heightF = f32x4.splat(<f32>w.height);
  const widthF = f32x4.splat(<f32>w.width);
  const height = i32x4.splat(w.height);
  const width = i32x4.splat(w.width);
  const pixel = i32x4.splat(w.pixelBytes);
  const below = i32x4.splat(w.rowBytes);
  const zeroPixel = i32x4.splat(<i32>zeros);
  const s = f32x4.splat(scale);
  const total = w.positions * groups * points;
  for (let position = rowStart; position < rowStart + rowCount; position++) {
    const image = positionImage(w, x, position);
    const imageLanes = i32x4.splat(<i32>image);
    const centreY = f32x4.splat(<f32>(positionTop(w, position) + centreHeight));
    const centreX = f32x4.splat(<f32>(positionLeft(w, position) + centreWidth));
    const out = element(y, position * channels);
    for (let g = 0; g < groups; g++) {
      const first = (position * groups + g) * points;
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
        locateQuad(
            heightF, widthF, height, width, pixel, below, sampleY, sampleX, v128.load(weights),
            imageLanes, zeroPixel, samples + <usize>(p >> 2) * QUAD_BYTES);
      }
      weightedSumRun(samples, points, g * groupChannels, groupChannels, element(out, g * groupChannels));
    }
  }
}

/**
 * Every entry of `dOffset` and `dMask` of groups `[groupStart, groupStart +
 * groupCount)` (0 for samples outside the window), and adds their input
 * gradient into `dx` (zero-filled by the caller). Disjoint group ranges write
 * disjoint elements: threads split the pass that way.
 */
export function dcnv3Backward(
    params: usize, x: usize, offset: usize, mask: usize, dy: usize, dx: usize, dOffset: usize,
    dMask: usize, zeros: usize, scale: f64, removeCenter: bool, groupStart: i32,
    groupCount: i32, rowStart: i32, rowCount: i32): void {
  const w = changetype<Window>(params);
  const points = pointsPerGroup(w, removeCenter);
  const groups = w.offsetGroups;
  const channels = w.channels;
  const groupChannels = w.channelsPerOffsetGroup;
  const kh = w.filterHeight;
  const kw = w.filterWidth;
  const height = w.height;
  const width = w.width;
  const s = <f32>scale;
  for (let position = rowStart; position < rowStart + rowCount; position++) {
    const image = positionImage(w, x, position);
    const dxImage = dx + (image - x);
    const centreY = <f64>(positionTop(w, position) + w.centreHeight);
    const centreX = <f64>(positionLeft(w, position) + w.centreWidth);
    for (let g = groupStart; g < groupStart + groupCount; g++) {
      const first = g * groupChannels;
      const grad = element(dy, position * channels + first);
      for (let a = 0, p = 0; a < kw; a++) {
        for (let b = 0; b < kh; b++) {
          if (isSkippedCentre(w, a, b, removeCenter)) continue;
          const sample = (position * groups + g) * points + p++;
          const at = element(offset, 2 * sample);
          // The grid scaled around the kernel centre, plus the scaled offset, in f64 as the reference.
          const sy = centreY + scale * (<f64>centredTapY(w, b) + <f64>load<f32>(at, 4));
          const sx = centreX + scale * (<f64>centredTapX(w, a) + <f64>load<f32>(at));
          let gradX: f32 = 0;
          let gradY: f32 = 0;
          let gradMask: f32 = 0;
          if (insideZ(height, width, sy, sx)) {
            const corners = cornersZ(height, width, channels, sy, sx);
            const weights = weightsZ(sy, sx);
            const m = load<f32>(element(mask, sample));
            const sums = gatherRun(image, zeros, corners, weights, weights, first, groupChannels, grad);
            gradX = s * m * f32x4.extract_lane(sums, GATHER_X);
            gradY = s * m * f32x4.extract_lane(sums, GATHER_Y);
            gradMask = f32x4.extract_lane(sums, GATHER_VALUE);
            // The same corners in dx: the transpose of the forward.
            scatterRun(dxImage, corners, weights, first, groupChannels, m, grad);
          }
          store<f32>(element(dOffset, 2 * sample), gradX);
          store<f32>(element(dOffset, 2 * sample + 1), gradY);
          store<f32>(element(dMask, sample), gradMask);
        }
      }
    }
  }
}
