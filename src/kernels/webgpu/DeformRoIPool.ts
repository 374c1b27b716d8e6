/**
 * DeformRoIPool (and, with a mask, ModulatedDeformRoIPool) on webgpu:
 * one gather program (deform_roi_pool_programs.ts).
 */
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {DeformRoIPool, ModulatedDeformRoIPool} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeRoIPoolInfo} from '../../shape/roi_pool';
import {deformRoiPoolProgram} from './deform_roi_pool_programs';
import {runProgram} from './program_util';

/** The pooled `[R, ph, pw, C]` values, times `mask` when given (the modulated kernel). */
export const deformRoiPoolWebgpu: TypedKernelFunc<
  typeof DeformRoIPool | typeof ModulatedDeformRoIPool,
  WebGPUBackend
> = ({inputs, backend, attrs}) => {
  const {x, rois, offset, mask} = inputs;
  const info = computeRoIPoolInfo(x.shape, rois.shape, attrs);
  const programInputs = mask == null ? [x, rois, offset] : [x, rois, offset, mask];
  return runProgram(backend, deformRoiPoolProgram(info, mask != null), programInputs);
};

export const deformRoIPoolConfig = typedKernelConfig(DeformRoIPool, 'webgpu', deformRoiPoolWebgpu);
