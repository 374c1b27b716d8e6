import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {InvolutionBackpropInput} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeInvolutionInfo} from '../../shape/involution';
import {InvolutionBackpropKernelProgram} from './involution_backprop_kernel_gpu';
import {InvolutionBackpropXProgram} from './involution_backprop_x_gpu';
import {runProgram} from './program_util';

const involutionBackpropInput: TypedKernelFunc<
  typeof InvolutionBackpropInput,
  MathBackendWebGL
> = ({inputs, backend: webgl, attrs}) => {
  const {x, kernel, dy} = inputs;
  const info = computeInvolutionInfo(x.shape, attrs);
  return [
    runProgram(webgl, new InvolutionBackpropXProgram(info), [kernel, dy]),
    runProgram(webgl, new InvolutionBackpropKernelProgram(info), [x, dy]),
  ];
};

export const involutionBackpropInputConfig = typedKernelConfig(
  InvolutionBackpropInput,
  'webgl',
  involutionBackpropInput,
);
