import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {DeformPSRoIPoolBackprop} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computePSRoIPoolInfo} from '../../shape/roi_pool';
import {deformPsRoiPoolBackward} from '../reference/deform_ps_roi_pool';
import {values} from './cpu_util';

const deformPsRoiPoolBackprop: TypedKernelFunc<typeof DeformPSRoIPoolBackprop, MathBackendCPU> = ({
  inputs,
  backend: cpu,
  attrs,
}) => {
  const {x, rois, offset, dy} = inputs;
  const info = computePSRoIPoolInfo(x.shape, rois.shape, offset.shape, attrs);
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

export const deformPSRoIPoolBackpropConfig = typedKernelConfig(
  DeformPSRoIPoolBackprop,
  'cpu',
  deformPsRoiPoolBackprop,
);
