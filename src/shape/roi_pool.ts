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
