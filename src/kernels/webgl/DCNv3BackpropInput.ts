import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {DCNv3Attrs, DCNv3BackpropInput, DCNv3Inputs} from '../../kernel_names';
import {computeDcnv3Info} from '../../ops/dcnv3_util';
import {dcnv3Backward} from '../reference/dcnv3';
import {blendableFormat} from './col2im_blend';
import {scatterOnCpu} from './col2im_cpu_fallback';
import {Dcnv3CoordGradProgram} from './dcnv3_coord_grad_gpu';
import {dcnv3ScatterLayout, dcnv3ScatterSources} from './dcnv3_scatter';
import {runProgram} from './program_util';
import {scatterAll} from './scatter';

const dcnv3BackpropInput: KernelFunc = ({inputs, backend, attrs}) => {
  const webgl = backend as MathBackendWebGL;
  const {x, offset, mask, dy} = inputs as DCNv3Inputs & {dy: TensorInfo};
  const info = computeDcnv3Info(x.shape, attrs as unknown as DCNv3Attrs);
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

export const dcnv3BackpropInputConfig: KernelConfig = {
  kernelName: DCNv3BackpropInput,
  backendName: 'webgl',
  kernelFunc: dcnv3BackpropInput,
};
