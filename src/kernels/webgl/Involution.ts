import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {Involution} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeInvolutionInfo} from '../../shape/involution';
import {InvolutionProgram} from './involution_gpu';
import {runProgram} from './program_util';

const involution: TypedKernelFunc<typeof Involution, MathBackendWebGL> = ({
  inputs,
  backend,
  attrs,
}) => {
  const {x, kernel} = inputs;
  const info = computeInvolutionInfo(x.shape, attrs);
  return runProgram(backend, new InvolutionProgram(info), [x, kernel]);
};

export const involutionConfig = typedKernelConfig(Involution, 'webgl', involution);
