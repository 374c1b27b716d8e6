import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {DeformRoIPool, DeformRoIPoolAttrs} from '../../kernel_names';
import {computeRoiPoolInfo} from '../../ops/roi_pool_util';
import {DeformRoiPoolProgram} from './deform_roi_pool_gpu';
import {runProgram} from './program_util';

type Inputs = {x: TensorInfo; rois: TensorInfo; offset: TensorInfo; mask?: TensorInfo};

/** The pooled `[R, ph, pw, C]` values, times `mask` when given (the modulated kernel). */
export const deformRoiPoolWebgl: KernelFunc = ({inputs, backend, attrs}) => {
  const {x, rois, offset, mask} = inputs as Inputs;
  const info = computeRoiPoolInfo(x.shape, rois.shape, attrs as unknown as DeformRoIPoolAttrs);
  const programInputs = mask == null ? [x, rois, offset] : [x, rois, offset, mask];
  return runProgram(
    backend as MathBackendWebGL,
    new DeformRoiPoolProgram(info, mask != null),
    programInputs,
  );
};

export const deformRoIPoolConfig: KernelConfig = {
  kernelName: DeformRoIPool,
  backendName: 'webgl',
  kernelFunc: deformRoiPoolWebgl,
};
