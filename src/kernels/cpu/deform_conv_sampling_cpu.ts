/** The deformable-convolution sampling passes on the cpu backend: the reference loops on its arrays. */
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import type {DeformConvSampling} from '../deform_conv_sampling';
import {deformCol2im, deformCoordGrad, deformIm2col} from '../reference/deform_sampling';
import {optionalValues, values} from './cpu_util';

export const cpuSampling: DeformConvSampling = {
  im2col(backend, info, x, offset, mask, rowStart, rowCount) {
    const cpu = backend as MathBackendCPU;
    const depth = info.taps * info.inChannelsPerGroup;
    const cols = new Float32Array(info.groups * rowCount * depth);
    deformIm2col(
      info,
      values(cpu, x),
      values(cpu, offset),
      optionalValues(cpu, mask),
      rowStart,
      rowCount,
      cols,
    );
    return cpu.makeTensorInfo([info.groups, rowCount, depth], 'float32', cols);
  },

  col2im(backend, info, dCols, offset, mask, rowStart, rowCount, dx) {
    const cpu = backend as MathBackendCPU;
    const shape = [info.batchSize, info.inHeight, info.inWidth, info.inChannels];
    const target =
      dx ?? cpu.makeTensorInfo(shape, 'float32', new Float32Array(shape.reduce((a, b) => a * b)));
    deformCol2im(
      info,
      values(cpu, dCols),
      values(cpu, offset),
      optionalValues(cpu, mask),
      rowStart,
      rowCount,
      values(cpu, target),
    );
    return target;
  },

  coordGrad(backend, info, dCols, x, offset, mask, rowStart, rowCount) {
    const cpu = backend as MathBackendCPU;
    const taps = info.offsetGroups * info.taps;
    const dOffset = new Float32Array(rowCount * 2 * taps);
    const dMask = mask == null ? null : new Float32Array(rowCount * taps);
    deformCoordGrad(
      info,
      values(cpu, dCols),
      values(cpu, x),
      values(cpu, offset),
      optionalValues(cpu, mask),
      rowStart,
      rowCount,
      dOffset,
      dMask,
    );
    const grads = [cpu.makeTensorInfo([rowCount, 2 * taps], 'float32', dOffset)];
    if (dMask != null) {
      grads.push(cpu.makeTensorInfo([rowCount, taps], 'float32', dMask));
    }
    return grads;
  },
};
