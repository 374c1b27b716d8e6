/** Shape logic of involution, shared by the op (validation) and every backend's kernels. */
import type {InvolutionAttrs} from '../kernel_names';
import {computeWindowGeometry, WindowGeometry} from './deform_conv_util';

export interface InvolutionInfo extends WindowGeometry {
  /** Taps of one generated kernel: `kh * kw`. */
  kernelSize: number;
  groups: number;
  channelsPerGroup: number;
}

export function computeInvolutionInfo(xShape: number[], attrs: InvolutionAttrs): InvolutionInfo {
  const {
    kernelSize: [kh, kw],
    strides,
    pad,
    dilations,
    groups,
  } = attrs;
  const geometry = computeWindowGeometry(xShape, [kh, kw], strides, dilations, pad);
  return {
    ...geometry,
    kernelSize: kh * kw,
    groups,
    channelsPerGroup: geometry.inChannels / groups,
  };
}
