import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {KernelConfig, KernelFunc} from '@tensorflow/tfjs-core';

import {DCNv3, DCNv3Attrs, DCNv3Inputs} from '../../kernel_names';
import {computeDcnv3Info} from '../../ops/dcnv3_util';
import {Dcnv3Program} from './dcnv3_gpu';
import {runProgram} from './program_util';

const dcnv3: KernelFunc = ({inputs, backend, attrs}) => {
  const {x, offset, mask} = inputs as DCNv3Inputs;
  const info = computeDcnv3Info(x.shape, attrs as unknown as DCNv3Attrs);
  return runProgram(backend as MathBackendWebGL, new Dcnv3Program(info), [x, offset, mask]);
};

export const dcnv3Config: KernelConfig = {
  kernelName: DCNv3,
  backendName: 'webgl',
  kernelFunc: dcnv3,
};
