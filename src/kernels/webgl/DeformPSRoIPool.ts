import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {DeformPSRoIPool, DeformPSRoIPoolAttrs} from '../../kernel_names';
import {computePsRoiPoolInfo} from '../../ops/roi_pool_util';
import {DeformPsRoiPoolProgram} from './deform_ps_roi_pool_gpu';
import {runProgram} from './program_util';

const deformPsRoiPool: KernelFunc = ({inputs, backend, attrs}) => {
  const {x, rois, offset} = inputs as {x: TensorInfo; rois: TensorInfo; offset: TensorInfo};
  const info = computePsRoiPoolInfo(
    x.shape,
    rois.shape,
    offset.shape,
    attrs as unknown as DeformPSRoIPoolAttrs,
  );
  return runProgram(backend as MathBackendWebGL, new DeformPsRoiPoolProgram(info), [
    x,
    rois,
    offset,
  ]);
};

export const deformPSRoIPoolConfig: KernelConfig = {
  kernelName: DeformPSRoIPool,
  backendName: 'webgl',
  kernelFunc: deformPsRoiPool,
};
