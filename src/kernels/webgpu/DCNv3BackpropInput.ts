import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {DCNv3BackpropInput} from '../../kernel_names';
import {computeDCNv3Info} from '../../shape/dcnv3';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {dcnv3CoordGradProgram, dcnv3InputGradProgram} from './dcnv3_programs';
import {runProgram, zeros} from './program_util';

const dcnv3BackpropInput: TypedKernelFunc<typeof DCNv3BackpropInput, WebGPUBackend> = ({
  inputs,
  backend,
  attrs,
}) => {
  const {x, offset, mask, dy} = inputs;
  const info = computeDCNv3Info(x.shape, attrs);
  const dx = runProgram(
    backend,
    dcnv3InputGradProgram(info),
    [offset, mask, dy],
    0,
    zeros(backend, x.shape),
  );
  const dOffset = runProgram(backend, dcnv3CoordGradProgram(info, 'offset'), [x, offset, mask, dy]);
  // The mask gradient does not read the mask (a program must use every input it binds).
  const dMask = runProgram(backend, dcnv3CoordGradProgram(info, 'mask'), [x, offset, dy]);
  return [dx, dOffset, dMask];
};

export const dcnv3BackpropInputConfig = typedKernelConfig(
  DCNv3BackpropInput,
  'webgpu',
  dcnv3BackpropInput,
);
