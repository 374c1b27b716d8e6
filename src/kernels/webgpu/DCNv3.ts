import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {DCNv3} from '../../kernel_names';
import {computeDCNv3Info} from '../../shape/dcnv3';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {dcnv3Program} from './dcnv3_programs';
import {runProgram} from './program_util';

const dcnv3: TypedKernelFunc<typeof DCNv3, WebGPUBackend> = ({inputs, backend, attrs}) => {
  const {x, offset, mask} = inputs;
  const info = computeDCNv3Info(x.shape, attrs);
  return runProgram(backend, dcnv3Program(info), [x, offset, mask]);
};

export const dcnv3Config = typedKernelConfig(DCNv3, 'webgpu', dcnv3);
