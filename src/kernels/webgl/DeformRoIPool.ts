import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {DeformRoIPool, ModulatedDeformRoIPool} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeRoIPoolInfo} from '../../shape/roi_pool';
import {DeformRoIPoolProgram} from './deform_roi_pool_gpu';
import {runProgram} from './program_util';

/** The pooled `[R, ph, pw, C]` values, times `mask` when given (the modulated kernel). */
export const deformRoiPoolWebgl: TypedKernelFunc<
  typeof DeformRoIPool | typeof ModulatedDeformRoIPool,
  MathBackendWebGL
> = ({inputs, backend, attrs}) => {
  const {x, rois, offset, mask} = inputs;
  const info = computeRoIPoolInfo(x.shape, rois.shape, attrs);
  const programInputs = mask == null ? [x, rois, offset] : [x, rois, offset, mask];
  return runProgram(backend, new DeformRoIPoolProgram(info, mask != null), programInputs);
};

export const deformRoIPoolConfig = typedKernelConfig(DeformRoIPool, 'webgl', deformRoiPoolWebgl);
