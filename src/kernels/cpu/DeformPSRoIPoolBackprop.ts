import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {DeformPSRoIPoolAttrs, DeformPSRoIPoolBackprop} from '../../kernel_names';
import {computePsRoiPoolInfo} from '../../ops/roi_pool_util';
import {deformPsRoiPoolBackward} from '../reference/deform_ps_roi_pool';
import {values} from './cpu_util';

const deformPsRoiPoolBackprop: KernelFunc = ({inputs, backend, attrs}) => {
  const cpu = backend as MathBackendCPU;
  const {x, rois, offset, dy} = inputs as {
    x: TensorInfo;
    rois: TensorInfo;
    offset: TensorInfo;
    dy: TensorInfo;
  };
  const info = computePsRoiPoolInfo(
    x.shape,
    rois.shape,
    offset.shape,
    attrs as unknown as DeformPSRoIPoolAttrs,
  );
  const {dx, dOffset} = deformPsRoiPoolBackward(
    info,
    values(cpu, x),
    values(cpu, rois),
    values(cpu, offset),
    values(cpu, dy),
  );
  return [
    cpu.makeTensorInfo(x.shape, 'float32', dx),
    cpu.makeTensorInfo(offset.shape, 'float32', dOffset),
  ];
};

export const deformPSRoIPoolBackpropConfig: KernelConfig = {
  kernelName: DeformPSRoIPoolBackprop,
  backendName: 'cpu',
  kernelFunc: deformPsRoiPoolBackprop,
};
