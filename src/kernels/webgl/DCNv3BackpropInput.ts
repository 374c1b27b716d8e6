import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {DCNv3BackpropInput} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeDCNv3Info} from '../../shape/dcnv3';
import {dcnv3Backward} from '../reference/dcnv3';
import {DCNv3CoordGradProgram} from './dcnv3_coord_grad_gpu';
import {dcnv3ScatterLayout, dcnv3ScatterSources} from './dcnv3_scatter';
import {runProgram} from './program_util';
import {scatterInputGradient} from './scatter/index';

const dcnv3BackpropInput: TypedKernelFunc<typeof DCNv3BackpropInput, MathBackendWebGL> = ({
  inputs,
  backend: webgl,
  attrs,
}) => {
  const {x, offset, mask, dy} = inputs;
  const info = computeDCNv3Info(x.shape, attrs);
  const dx = scatterInputGradient(webgl, {
    shape: x.shape,
    rowStart: 0,
    rowCount: info.batchSize * info.outHeight * info.outWidth,
    onGpu: () => ({
      layout: dcnv3ScatterLayout(info),
      sources: dcnv3ScatterSources(info, offset, mask, dy),
    }),
    onCpu: {
      inputs: [x, offset, mask, dy],
      add: ([x, offset, mask, dy], dx) =>
        dcnv3Backward(info, x, offset, mask, dy).dx.forEach((v, i) => (dx[i] += v)),
    },
  });
  const coordGrad = (target: 'offset' | 'mask') =>
    runProgram(webgl, new DCNv3CoordGradProgram(info, target), [x, offset, mask, dy]);
  return [dx, coordGrad('offset'), coordGrad('mask')];
};

export const dcnv3BackpropInputConfig = typedKernelConfig(
  DCNv3BackpropInput,
  'webgl',
  dcnv3BackpropInput,
);
