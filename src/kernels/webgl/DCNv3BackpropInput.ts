import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {DCNv3BackpropInput} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeDCNv3Info} from '../../shape/dcnv3';
import {dcnv3Backward} from '../reference/dcnv3';
import {blendableFormat} from './col2im_blend';
import {scatterOnCpu} from './col2im_cpu_fallback';
import {Dcnv3CoordGradProgram} from './dcnv3_coord_grad_gpu';
import {dcnv3ScatterLayout, dcnv3ScatterSources} from './dcnv3_scatter';
import {runProgram} from './program_util';
import {scatterAll} from './scatter';

const dcnv3BackpropInput: TypedKernelFunc<typeof DCNv3BackpropInput, MathBackendWebGL> = ({
  inputs,
  backend: webgl,
  attrs,
}) => {
  const {x, offset, mask, dy} = inputs;
  const info = computeDCNv3Info(x.shape, attrs);
  const format = blendableFormat(webgl);
  const dx =
    format == null
      ? scatterOnCpu(
          webgl,
          x.shape,
          [x, offset, mask, dy],
          ([x, offset, mask, dy]) => dcnv3Backward(info, x, offset, mask, dy).dx,
        )
      : scatterAll(
          webgl,
          dcnv3ScatterLayout(info),
          format,
          dcnv3ScatterSources(info, offset, mask, dy),
          info.batchSize * info.outHeight * info.outWidth,
        );
  const coordGrad = (target: 'offset' | 'mask') =>
    runProgram(webgl, new Dcnv3CoordGradProgram(info, target), [x, offset, mask, dy]);
  return [dx, coordGrad('offset'), coordGrad('mask')];
};

export const dcnv3BackpropInputConfig = typedKernelConfig(
  DCNv3BackpropInput,
  'webgl',
  dcnv3BackpropInput,
);
