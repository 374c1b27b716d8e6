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
import {beginRow, channels, channelsPerOffsetGroup, filterHeight, filterWidth, offsetGroups, rowImage, scaledTapX, scaledTapY} from './geometry';
import {element} from './lanes';
import {accumulateRun, gatherRun, locate, scatterRun, sumGradX, sumGradY, sumValue} from './sampler_z';

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

/** Every entry of `y` `[positions, channels]`: per group, the mask-weighted sum of its samples. */
export function dcnv3Forward(
    x: usize, offset: usize, mask: usize, y: usize, zeros: usize, scale: f64,
    removeCenter: bool, positions: i32): void {
  const points = pointsPerGroup(removeCenter);
  const groupChannels = channelsPerOffsetGroup;
  for (let position = 0; position < positions; position++) {
    beginRow(x, position);
    const out = element(y, position * channels);
    memory.fill(out, 0, <usize>channels << 2);
    for (let g = 0; g < offsetGroups; g++) {
      const first = g * groupChannels;
      const dst = element(out, first);
      for (let a = 0, p = 0; a < filterWidth; a++) {
        for (let b = 0; b < filterHeight; b++) {
          if (isSkippedCentre(a, b, removeCenter)) continue;
          const sample = (position * offsetGroups + g) * points + p++;
          // Outside the window the sample adds nothing (not even a NaN mask).
          if (locatePoint(offset, sample, a, b, scale, rowImage, zeros)) {
            accumulateRun(first, groupChannels, load<f32>(element(mask, sample)), dst);
          }
        }
      }
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
