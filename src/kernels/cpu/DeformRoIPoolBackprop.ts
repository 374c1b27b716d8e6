import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {DeformRoIPoolAttrs, DeformRoIPoolBackprop} from '../../kernel_names';
import {computeRoiPoolInfo} from '../../ops/roi_pool_util';
import {deformRoiPoolBackward} from '../reference/deform_roi_pool';
import {values} from './cpu_util';

const deformRoiPoolBackprop: KernelFunc = ({inputs, backend, attrs}) => {
  const cpu = backend as MathBackendCPU;
  const {x, rois, offset, dy} = inputs as {
    x: TensorInfo;
    rois: TensorInfo;
    offset: TensorInfo;
    dy: TensorInfo;
  };
  const info = computeRoiPoolInfo(x.shape, rois.shape, attrs as unknown as DeformRoIPoolAttrs);
  const {dx, dOffset} = deformRoiPoolBackward(
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

export const deformRoIPoolBackpropConfig: KernelConfig = {
  kernelName: DeformRoIPoolBackprop,
  backendName: 'cpu',
  kernelFunc: deformRoiPoolBackprop,
};
