import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import {getKernel, TensorInfo} from '@tensorflow/tfjs-core';

import {DeformRoIPoolBackprop} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeRoIPoolInfo, RoIPoolInfo} from '../../shape/roi_pool';
import {deformRoiPoolBackward} from '../reference/deform_roi_pool';
import {blendableFormat} from './col2im_blend';
import {scatterOnCpu} from './col2im_cpu_fallback';
import {DeformRoiPoolOffsetGradProgram} from './deform_roi_pool_offset_grad_gpu';
import {roiPoolScatterLayout, roiPoolScatterSources} from './deform_roi_pool_scatter';
import {runProgram} from './program_util';
import {scatterAll} from './scatter';

type Inputs = {x: TensorInfo; rois: TensorInfo; offset: TensorInfo; dy: TensorInfo};

/**
 * A bound on the bins' sampling grids, which sizes the scatter's draw. With
 * adaptive sampling it depends on the RoIs' sizes: the only read of GPU data
 * here (the RoIs, `[R, 5]`, which the op reads back on every call anyway);
 * one more point per axis covers the GPU's float32 rounding of `ceil`.
 */
function gridBound(
  backend: MathBackendWebGL,
  info: RoIPoolInfo,
  rois: TensorInfo,
): [number, number] {
  if (info.samplingRatio > 0) {
    return [info.samplingRatio, info.samplingRatio];
  }
  const boxes = backend.readSync(rois.dataId) as Float32Array;
  const bound: [number, number] = [1, 1];
  for (let r = 0; r < info.rois; r++) {
    const [, x1, y1, x2, y2] = boxes.subarray(5 * r, 5 * r + 5);
    const roiHeight = (y2 - y1) * info.spatialScale;
    const roiWidth = (x2 - x1) * info.spatialScale;
    bound[0] = Math.max(bound[0], Math.ceil(roiHeight / info.pooledHeight) + 1);
    bound[1] = Math.max(bound[1], Math.ceil(roiWidth / info.pooledWidth) + 1);
  }
  return bound;
}

/** dx on the GPU: the stacked images of the scatter, relabelled `[N, H, W, C]`. */
function dxOnGpu(
  backend: MathBackendWebGL,
  info: RoIPoolInfo,
  format: number,
  {x, rois, offset, dy}: Inputs,
): TensorInfo {
  const grid = gridBound(backend, info, rois);
  const stacked = scatterAll(
    backend,
    roiPoolScatterLayout(info, grid),
    format,
    roiPoolScatterSources(info, grid, rois, offset, dy),
    info.rois * info.pooledHeight * info.pooledWidth,
  );
  const dx = getKernel('Reshape', 'webgl')!.kernelFunc({
    inputs: {x: stacked},
    backend,
    attrs: {shape: x.shape},
  }) as TensorInfo;
  backend.disposeIntermediateTensorInfo(stacked);
  return dx;
}

const deformRoiPoolBackprop: TypedKernelFunc<typeof DeformRoIPoolBackprop, MathBackendWebGL> = ({
  inputs,
  backend: webgl,
  attrs,
}) => {
  const tensors = inputs;
  const {x, rois, offset, dy} = tensors;
  const info = computeRoIPoolInfo(x.shape, rois.shape, attrs);
  const format = blendableFormat(webgl);
  const dx =
    format == null
      ? scatterOnCpu(
          webgl,
          x.shape,
          [x, rois, offset, dy],
          ([x, rois, offset, dy]) => deformRoiPoolBackward(info, x, rois, offset, dy).dx,
        )
      : dxOnGpu(webgl, info, format, tensors);
  const dOffset = runProgram(webgl, new DeformRoiPoolOffsetGradProgram(info), [
    x,
    rois,
    offset,
    dy,
  ]);
  return [dx, dOffset];
};

export const deformRoIPoolBackpropConfig = typedKernelConfig(
  DeformRoIPoolBackprop,
  'webgl',
  deformRoiPoolBackprop,
);
