import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {DeformRoIPoolBackprop} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeRoIPoolInfo} from '../../shape/roi_pool';
import {deformRoiPoolBackward} from '../reference/deform_roi_pool';
import {values} from './cpu_util';

const deformRoiPoolBackprop: TypedKernelFunc<typeof DeformRoIPoolBackprop, MathBackendCPU> = ({
  inputs,
  backend: cpu,
  attrs,
}) => {
  const {x, rois, offset, dy} = inputs;
  const info = computeRoIPoolInfo(x.shape, rois.shape, attrs);
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

export const deformRoIPoolBackpropConfig = typedKernelConfig(
  DeformRoIPoolBackprop,
  'cpu',
  deformRoiPoolBackprop,
);
