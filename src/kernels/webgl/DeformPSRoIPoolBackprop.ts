import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import {getKernel, TensorInfo} from '@tensorflow/tfjs-core';

import {DeformPSRoIPoolBackprop} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computePSRoIPoolInfo, PSRoIPoolInfo} from '../../shape/roi_pool';
import {deformPsRoiPoolBackward} from '../reference/deform_ps_roi_pool';
import {blendableFormat} from './col2im_blend';
import {scatterOnCpu} from './col2im_cpu_fallback';
import {DeformPsRoiPoolOffsetGradProgram} from './deform_ps_roi_pool_offset_grad_gpu';
import {psRoiPoolScatterLayout, psRoiPoolScatterSources} from './deform_ps_roi_pool_scatter';
import {runProgram} from './program_util';
import {scatterAll} from './scatter';

type Inputs = {x: TensorInfo; rois: TensorInfo; offset: TensorInfo; dy: TensorInfo};

/** dx on the GPU: the scatter's stacked channel planes `[C, N, H, W]`, transposed to NHWC. */
function dxOnGpu(
  backend: MathBackendWebGL,
  info: PSRoIPoolInfo,
  format: number,
  {rois, offset, dy}: Inputs,
): TensorInfo {
  const planes = scatterAll(
    backend,
    psRoiPoolScatterLayout(info),
    format,
    psRoiPoolScatterSources(info, rois, offset, dy),
    info.rois * info.pooledHeight * info.pooledWidth,
  );
  const byChannel = getKernel('Reshape', 'webgl')!.kernelFunc({
    inputs: {x: planes},
    backend,
    attrs: {shape: [info.channels, info.batchSize, info.height, info.width]},
  }) as TensorInfo;
  backend.disposeIntermediateTensorInfo(planes);
  const dx = getKernel('Transpose', 'webgl')!.kernelFunc({
    inputs: {x: byChannel},
    backend,
    attrs: {perm: [1, 2, 3, 0]},
  }) as TensorInfo;
  backend.disposeIntermediateTensorInfo(byChannel);
  return dx;
}

const deformPsRoiPoolBackprop: TypedKernelFunc<
  typeof DeformPSRoIPoolBackprop,
  MathBackendWebGL
> = ({inputs, backend: webgl, attrs}) => {
  const tensors = inputs;
  const {x, rois, offset, dy} = tensors;
  const info = computePSRoIPoolInfo(x.shape, rois.shape, offset.shape, attrs);
  const format = blendableFormat(webgl);
  const dx =
    format == null
      ? scatterOnCpu(
          webgl,
          x.shape,
          [x, rois, offset, dy],
          ([x, rois, offset, dy]) => deformPsRoiPoolBackward(info, x, rois, offset, dy).dx,
        )
      : dxOnGpu(webgl, info, format, tensors);
  const dOffset = runProgram(webgl, new DeformPsRoiPoolOffsetGradProgram(info), [
    x,
    rois,
    offset,
    dy,
  ]);
  return [dx, dOffset];
};

export const deformPSRoIPoolBackpropConfig = typedKernelConfig(
  DeformPSRoIPoolBackprop,
  'webgl',
  deformPsRoiPoolBackprop,
);
