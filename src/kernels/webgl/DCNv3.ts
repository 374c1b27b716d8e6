import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {DCNv3} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeDCNv3Info} from '../../shape/dcnv3';
import {DCNv3Program} from './dcnv3_gpu';
import {runProgram} from './program_util';

const dcnv3: TypedKernelFunc<typeof DCNv3, MathBackendWebGL> = ({inputs, backend, attrs}) => {
  const {x, offset, mask} = inputs;
  const info = computeDCNv3Info(x.shape, attrs);
  return runProgram(backend, new DCNv3Program(info), [x, offset, mask]);
};

export const dcnv3Config = typedKernelConfig(DCNv3, 'webgl', dcnv3);
