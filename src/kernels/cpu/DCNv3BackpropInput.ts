import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {DCNv3Attrs, DCNv3BackpropInput, DCNv3Inputs} from '../../kernel_names';
import {computeDcnv3Info} from '../../ops/dcnv3_util';
import {dcnv3Backward} from '../reference/dcnv3';
import {values} from './cpu_util';

const dcnv3BackpropInput: KernelFunc = ({inputs, backend, attrs}) => {
  const cpu = backend as MathBackendCPU;
  const {x, offset, mask, dy} = inputs as DCNv3Inputs & {dy: TensorInfo};
  const info = computeDcnv3Info(x.shape, attrs as unknown as DCNv3Attrs);
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

export const dcnv3BackpropInputConfig: KernelConfig = {
  kernelName: DCNv3BackpropInput,
  backendName: 'cpu',
  kernelFunc: dcnv3BackpropInput,
};
