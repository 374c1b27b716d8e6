/**
 * DeformRoIPool's backward on webgpu: the input gradient is a scatter with
 * float atomics into a zero-filled `dx`, the offset gradient a gather
 * (deform_roi_pool_programs.ts). Nothing is read back: adaptive grids are
 * computed in the shaders.
 */
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {DeformRoIPoolBackprop} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeRoIPoolInfo} from '../../shape/roi_pool';
import {
  deformRoiPoolOffsetGradProgram,
  deformRoiPoolScatterProgram,
} from './deform_roi_pool_programs';
import {runProgram, zeros} from './program_util';

const deformRoiPoolBackprop: TypedKernelFunc<typeof DeformRoIPoolBackprop, WebGPUBackend> = ({
  inputs,
  backend,
  attrs,
}) => {
  const {x, rois, offset, dy} = inputs;
  const info = computeRoIPoolInfo(x.shape, rois.shape, attrs);
  const scatter = deformRoiPoolScatterProgram(info);
  const dx = zeros(backend, x.shape);
  if (scatter.threads > 0) {
    runProgram(backend, scatter, [rois, offset, dy], 0, dx);
  }
  const dOffset = runProgram(backend, deformRoiPoolOffsetGradProgram(info), [x, rois, offset, dy]);
  return [dx, dOffset];
};

export const deformRoIPoolBackpropConfig = typedKernelConfig(
  DeformRoIPoolBackprop,
  'webgpu',
  deformRoiPoolBackprop,
);
