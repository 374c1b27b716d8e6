import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {DeformPSRoIPool} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computePSRoIPoolInfo} from '../../shape/roi_pool';
import {DeformPSRoIPoolProgram} from './deform_ps_roi_pool_gpu';
import {runProgram} from './program_util';

const deformPsRoiPool: TypedKernelFunc<typeof DeformPSRoIPool, MathBackendWebGL> = ({
  inputs,
  backend,
  attrs,
}) => {
  const {x, rois, offset} = inputs;
  const info = computePSRoIPoolInfo(x.shape, rois.shape, offset.shape, attrs);
  return runProgram(backend, new DeformPSRoIPoolProgram(info), [x, rois, offset]);
};

export const deformPSRoIPoolConfig = typedKernelConfig(DeformPSRoIPool, 'webgl', deformPsRoiPool);
