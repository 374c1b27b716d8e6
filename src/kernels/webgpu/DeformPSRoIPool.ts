/** DCNv1's deformable PS RoI pooling on webgpu: one gather program (deform_ps_roi_pool_programs.ts). */
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {DeformPSRoIPool} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computePSRoIPoolInfo} from '../../shape/roi_pool';
import {deformPsRoiPoolProgram} from './deform_ps_roi_pool_programs';
import {runProgram} from './program_util';

const deformPsRoiPool: TypedKernelFunc<typeof DeformPSRoIPool, WebGPUBackend> = ({
  inputs,
  backend,
  attrs,
}) => {
  const {x, rois, offset} = inputs;
  const info = computePSRoIPoolInfo(x.shape, rois.shape, offset.shape, attrs);
  return runProgram(backend, deformPsRoiPoolProgram(info), [x, rois, offset]);
};

export const deformPSRoIPoolConfig = typedKernelConfig(DeformPSRoIPool, 'webgpu', deformPsRoiPool);
