import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {InvolutionAttrs, InvolutionBackpropInput, InvolutionInputs} from '../../kernel_names';
import {computeInvolutionInfo} from '../../ops/involution_util';
import {InvolutionBackpropKernelProgram} from './involution_backprop_kernel_gpu';
import {InvolutionBackpropXProgram} from './involution_backprop_x_gpu';
import {runProgram} from './program_util';

const involutionBackpropInput: KernelFunc = ({inputs, backend, attrs}) => {
  const webgl = backend as MathBackendWebGL;
  const {x, kernel, dy} = inputs as InvolutionInputs & {dy: TensorInfo};
  const info = computeInvolutionInfo(x.shape, attrs as unknown as InvolutionAttrs);
  return [
    runProgram(webgl, new InvolutionBackpropXProgram(info), [kernel, dy]),
    runProgram(webgl, new InvolutionBackpropKernelProgram(info), [x, dy]),
  ];
};

export const involutionBackpropInputConfig: KernelConfig = {
  kernelName: InvolutionBackpropInput,
  backendName: 'webgl',
  kernelFunc: involutionBackpropInput,
};
