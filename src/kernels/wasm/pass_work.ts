/**
 * How much work a wasm pass does, about one multiply-add per unit: what
 * `runOnThreads` weighs against `DEFORM_WASM_SPLIT_WORK` before waking the
 * pass threads. Estimates only; they decide nothing about results.
 */
import type {backend_util} from '@tensorflow/tfjs-core';

import type {DCNv3Info} from '../../shape/dcnv3';
import type {DeformConvInfo} from '../../shape/deform_conv';
import type {InvolutionInfo} from '../../shape/involution';
import type {PSRoIPoolInfo, RoIPoolInfo} from '../../shape/roi_pool';

/** Bilinear samples take four corners each. */
const CORNERS = 4;

function outputPositions(info: {batchSize: number; outHeight: number; outWidth: number}): number {
  return info.batchSize * info.outHeight * info.outWidth;
}

/** A deformable-convolution sampling pass over `rows` output positions. */
export function samplingWork(info: DeformConvInfo, rows: number): number {
  return CORNERS * rows * info.taps * info.inChannels;
}

export function dcnv3Work(info: DCNv3Info): number {
  return CORNERS * outputPositions(info) * info.points * info.channelsPerGroup * info.groups;
}

export function involutionWork(info: InvolutionInfo): number {
  return outputPositions(info) * info.taps * info.inChannels;
}

/** Adaptive sampling (ratio 0) is taken as 2 x 2 samples per bin. */
export function roiPoolWork(info: RoIPoolInfo): number {
  const samples = info.samplingRatio > 0 ? info.samplingRatio ** 2 : 4;
  return CORNERS * info.rois * info.pooledHeight * info.pooledWidth * samples * info.channels;
}

export function psRoiPoolWork(info: PSRoIPoolInfo): number {
  const samples = info.samplesPerPart ** 2;
  return CORNERS * info.rois * info.pooledHeight * info.pooledWidth * samples * info.outputDim;
}

export function depthwiseWork(info: backend_util.Conv2DInfo): number {
  const {batchSize, inHeight, inWidth, outChannels, filterHeight, filterWidth} = info;
  return batchSize * inHeight * inWidth * outChannels * filterHeight * filterWidth;
}
