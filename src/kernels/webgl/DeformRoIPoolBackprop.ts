import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import {TensorInfo} from '@tensorflow/tfjs-core';

import {DeformRoIPoolBackprop} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computeRoIPoolInfo, RoIPoolInfo} from '../../shape/roi_pool';
import {deformRoiPoolBackward} from '../reference/deform_roi_pool';
import {DeformRoIPoolOffsetGradProgram} from './deform_roi_pool_offset_grad_gpu';
import {roiPoolScatterLayout, roiPoolScatterSources} from './deform_roi_pool_scatter';
import {runProgram} from './program_util';
import {scatterInputGradient} from './scatter/index';

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

const deformRoiPoolBackprop: TypedKernelFunc<typeof DeformRoIPoolBackprop, MathBackendWebGL> = ({
  inputs,
  backend: webgl,
  attrs,
}) => {
  const tensors = inputs;
  const {x, rois, offset, dy} = tensors;
  const info = computeRoIPoolInfo(x.shape, rois.shape, attrs);
  const dx = scatterInputGradient(webgl, {
    shape: x.shape,
    rowStart: 0,
    rowCount: info.rois * info.pooledHeight * info.pooledWidth,
    onGpu: () => {
      const grid = gridBound(webgl, info, rois);
      return {
        layout: roiPoolScatterLayout(info, grid),
        sources: roiPoolScatterSources(info, grid, rois, offset, dy),
      };
    },
    onCpu: {
      inputs: [x, rois, offset, dy],
      add: ([x, rois, offset, dy], dx) =>
        deformRoiPoolBackward(info, x, rois, offset, dy).dx.forEach((v, i) => (dx[i] += v)),
    },
  });
  const dOffset = runProgram(webgl, new DeformRoIPoolOffsetGradProgram(info), [
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
