/** Shape logic of the deformable RoI poolings, shared by the ops and every backend's kernels. */
import type {DeformPSRoIPoolAttrs, DeformRoIPoolAttrs} from '../kernel_names';

export interface RoIPoolInfo {
  batchSize: number;
  height: number;
  width: number;
  channels: number;
  rois: number;
  pooledHeight: number;
  pooledWidth: number;
  spatialScale: number;
  samplingRatio: number;
  gamma: number;
}

export function computeRoIPoolInfo(
  xShape: number[],
  roisShape: number[],
  attrs: DeformRoIPoolAttrs,
): RoIPoolInfo {
  const [batchSize, height, width, channels] = xShape;
  return {
    batchSize,
    height,
    width,
    channels,
    rois: roisShape[0],
    pooledHeight: attrs.outputSize[0],
    pooledWidth: attrs.outputSize[1],
    spatialScale: attrs.spatialScale,
    samplingRatio: attrs.samplingRatio,
    gamma: attrs.gamma,
  };
}

export interface PSRoIPoolInfo {
  batchSize: number;
  height: number;
  width: number;
  channels: number;
  rois: number;
  outputDim: number;
  groupSize: number;
  pooledHeight: number;
  pooledWidth: number;
  partHeight: number;
  partWidth: number;
  samplesPerPart: number;
  spatialScale: number;
  transStd: number;
  /** Classes of the offset (trans) tensor: its channels / 2. */
  classes: number;
}

export function computePSRoIPoolInfo(
  xShape: number[],
  roisShape: number[],
  offsetShape: number[],
  attrs: DeformPSRoIPoolAttrs,
): PSRoIPoolInfo {
  const [batchSize, height, width, channels] = xShape;
  return {
    batchSize,
    height,
    width,
    channels,
    rois: roisShape[0],
    outputDim: attrs.outputDim,
    groupSize: attrs.groupSize,
    pooledHeight: attrs.outputSize[0],
    pooledWidth: attrs.outputSize[1],
    partHeight: attrs.partSize[0],
    partWidth: attrs.partSize[1],
    samplesPerPart: attrs.samplesPerPart,
    spatialScale: attrs.spatialScale,
    transStd: attrs.transStd,
    classes: offsetShape[3] / 2,
  };
}

/**
 * The samples of one axis of a bin's grid that can fall inside sampler A's
 * window `[-1, size]` (closed): grid points `origin + ((i + 0.5) * extent) /
 * grid`, `i < grid`. Found in closed form and widened by one on each side
 * (the sampler still tests every point exactly), then capped at what the
 * window can hold, so the work is bounded by the feature map, not by the
 * RoI, and no point that could be inside is skipped: the sum is the same as
 * over the whole grid, which still divides it. Returns `[first, count]`
 * (iterate `first + k` for `k < count`); no samples for a non-finite origin
 * or extent (such a RoI pools 0).
 */
export function windowedSamples(
  origin: number,
  extent: number,
  grid: number,
  size: number,
): [number, number] {
  if (!(grid > 0) || !Number.isFinite(origin) || !Number.isFinite(extent)) {
    return [0, 0];
  }
  const step = extent / grid;
  if (step === 0) {
    return origin >= -1 && origin <= size ? [0, grid] : [0, 0];
  }
  const a = (-1 - origin) / step - 0.5;
  const b = (size - origin) / step - 0.5;
  const first = Math.max(0, Math.ceil(Math.min(a, b)) - 1);
  const last = Math.min(grid - 1, Math.floor(Math.max(a, b)) + 1);
  const most = Math.ceil((size + 1) / Math.abs(step)) + 3;
  return [first, Math.max(0, Math.min(last - first + 1, most))];
}
