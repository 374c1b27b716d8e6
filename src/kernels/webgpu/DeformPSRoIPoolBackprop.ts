/**
 * DCNv1's deformable PS RoI pooling backward on webgpu: the input gradient
 * is a scatter with float atomics into a zero-filled `dx`, the offset
 * gradient a gather (deform_ps_roi_pool_programs.ts).
 */
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {DeformPSRoIPoolBackprop} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computePSRoIPoolInfo} from '../../shape/roi_pool';
import {
  deformPsRoiPoolOffsetGradProgram,
  deformPsRoiPoolScatterProgram,
} from './deform_ps_roi_pool_programs';
import {runProgram, zeros} from './program_util';

const deformPsRoiPoolBackprop: TypedKernelFunc<typeof DeformPSRoIPoolBackprop, WebGPUBackend> = ({
  inputs,
  backend,
  attrs,
}) => {
  const {x, rois, offset, dy} = inputs;
  const info = computePSRoIPoolInfo(x.shape, rois.shape, offset.shape, attrs);
  const scatter = deformPsRoiPoolScatterProgram(info);
  const dx = zeros(backend, x.shape);
  if (scatter.threads > 0) {
    runProgram(backend, scatter, [rois, offset, dy], 0, dx);
  }
  const dOffset = runProgram(backend, deformPsRoiPoolOffsetGradProgram(info), [
    x,
    rois,
    offset,
    dy,
  ]);
  return [dx, dOffset];
};

export const deformPSRoIPoolBackpropConfig = typedKernelConfig(
  DeformPSRoIPoolBackprop,
  'webgpu',
  deformPsRoiPoolBackprop,
);
