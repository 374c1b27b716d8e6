/** Shape logic of involution, shared by the op (validation) and every backend's kernels. */
import type {InvolutionAttrs} from '../kernel_names';
import {computeWindowGeometry, WindowGeometry} from './window';

export interface InvolutionInfo extends WindowGeometry {
  /** Taps of one generated kernel: `kh * kw`. */
  taps: number;
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
    taps: kh * kw,
    groups,
    channelsPerGroup: geometry.inChannels / groups,
  };
}
