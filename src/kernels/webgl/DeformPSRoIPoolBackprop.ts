import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {DeformPSRoIPoolBackprop} from '../../kernel_names';
import {TypedKernelFunc, typedKernelConfig} from '../kernel_util';
import {computePSRoIPoolInfo} from '../../shape/roi_pool';
import {deformPsRoiPoolBackward} from '../reference/deform_ps_roi_pool';
import {DeformPSRoIPoolOffsetGradProgram} from './deform_ps_roi_pool_offset_grad_gpu';
import {psRoiPoolScatterLayout, psRoiPoolScatterSources} from './deform_ps_roi_pool_scatter';
import {runProgram} from './program_util';
import {scatterInputGradient} from './scatter/index';

const deformPsRoiPoolBackprop: TypedKernelFunc<
  typeof DeformPSRoIPoolBackprop,
  MathBackendWebGL
> = ({inputs, backend: webgl, attrs}) => {
  const {x, rois, offset, dy} = inputs;
  const info = computePSRoIPoolInfo(x.shape, rois.shape, offset.shape, attrs);
  const dx = scatterInputGradient(webgl, {
    shape: x.shape,
    rowStart: 0,
    rowCount: info.rois * info.pooledHeight * info.pooledWidth,
    onGpu: () => ({
      layout: psRoiPoolScatterLayout(info),
      sources: psRoiPoolScatterSources(info, rois, offset, dy),
      channelPlanes: true,
    }),
    onCpu: {
      inputs: [x, rois, offset, dy],
      add: ([x, rois, offset, dy], dx) =>
        deformPsRoiPoolBackward(info, x, rois, offset, dy).dx.forEach((v, i) => (dx[i] += v)),
    },
  });
  const dOffset = runProgram(webgl, new DeformPSRoIPoolOffsetGradProgram(info), [
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
