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
 * A bound on the grid points per bin axis that can be inside the map (the
 * scatter's draw size): with adaptive sampling it depends on the RoIs'
 * sizes (the only read of GPU data here: the RoIs, `[R, 5]`, which the op
 * reads back anyway; one more point covers the GPU's float32 `ceil`), and
 * never exceeds what the window holds, `2 size + 6` at a sample spacing of
 * at least half a pixel (docs/semantics.md §4.2), whatever the RoI.
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
  const most: [number, number] = [2 * info.height + 6, 2 * info.width + 6];
  const bound: [number, number] = [1, 1];
  for (let r = 0; r < info.rois; r++) {
    const [, x1, y1, x2, y2] = boxes.subarray(5 * r, 5 * r + 5);
    const extents = [
      ((y2 - y1) * info.spatialScale) / info.pooledHeight,
      ((x2 - x1) * info.spatialScale) / info.pooledWidth,
    ];
    extents.forEach((extent, axis) => {
      // NaN fails the comparison: such a RoI pools nothing.
      const points = Math.min(Math.ceil(extent) + 1, most[axis]);
      if (points > bound[axis]) {
        bound[axis] = points;
      }
    });
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
