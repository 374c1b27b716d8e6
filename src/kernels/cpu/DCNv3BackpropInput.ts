import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {DCNv3BackpropInput} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeDCNv3Info} from '../../shape/dcnv3';
import {dcnv3Backward} from '../reference/dcnv3';
import {values} from './cpu_util';

const dcnv3BackpropInput: TypedKernelFunc<typeof DCNv3BackpropInput, MathBackendCPU> = ({
  inputs,
  backend: cpu,
  attrs,
}) => {
  const {x, offset, mask, dy} = inputs;
  const info = computeDCNv3Info(x.shape, attrs);
  const {dx, dOffset, dMask} = dcnv3Backward(
    info,
    values(cpu, x),
    values(cpu, offset),
    values(cpu, mask),
    values(cpu, dy),
  );
  return [
    cpu.makeTensorInfo(x.shape, 'float32', dx),
    cpu.makeTensorInfo(offset.shape, 'float32', dOffset),
    cpu.makeTensorInfo(mask.shape, 'float32', dMask),
  ];
};

export const dcnv3BackpropInputConfig = typedKernelConfig(
  DCNv3BackpropInput,
  'cpu',
  dcnv3BackpropInput,
);
