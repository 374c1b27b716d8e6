/** Shape logic of the deformable convolutions (DCNv1/v2), shared by the ops and every backend's kernels. */
import type {DeformConv2DAttrs} from '../kernel_names';
import {computeWindowGeometry, WindowGeometry} from './window';

/** Sizes the deformable-convolution kernels need beyond the window. */
export interface DeformConvInfo extends WindowGeometry {
  outChannels: number;
  /** `filterHeight * filterWidth`: taps per output position. */
  taps: number;
  groups: number;
  offsetGroups: number;
  inChannelsPerGroup: number;
  outChannelsPerGroup: number;
  inChannelsPerOffsetGroup: number;
}

/**
 * Shape logic shared by all backends. `xShape` is `[N, H, W, C]`,
 * `filterShape` `[kh, kw, C / groups, Cout]`; the op has validated them.
 */
export function computeDeformConvInfo(
  xShape: number[],
  filterShape: number[],
  attrs: DeformConv2DAttrs,
): DeformConvInfo {
  const [filterHeight, filterWidth, , outChannels] = filterShape;
  const {strides, pad, dilations, groups, offsetGroups} = attrs;
  const geometry = computeWindowGeometry(
    xShape,
    [filterHeight, filterWidth],
    strides,
    dilations,
    pad,
  );
  return {
    ...geometry,
    outChannels,
    taps: filterHeight * filterWidth,
    groups,
    offsetGroups,
    inChannelsPerGroup: geometry.inChannels / groups,
    outChannelsPerGroup: outChannels / groups,
    inChannelsPerOffsetGroup: geometry.inChannels / offsetGroups,
  };
}
