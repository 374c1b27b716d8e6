/** Shape logic of DCNv3, shared by the op (validation) and every backend's kernels. */
import type {DCNv3Attrs} from '../kernel_names';
import {computeWindowGeometry, WindowGeometry} from './window';

export interface DCNv3Info extends WindowGeometry {
  /** Sampling points per group: `kh * kw`, less the centre with removeCenter. */
  points: number;
  groups: number;
  channelsPerGroup: number;
  offsetScale: number;
  removeCenter: boolean;
  /** Kernel centre offsets `floor(d (k - 1) / 2)`, around which offsetScale scales the grid. */
  centreHeight: number;
  centreWidth: number;
}

export function computeDCNv3Info(xShape: number[], attrs: DCNv3Attrs): DCNv3Info {
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
    points: kh * kw - (attrs.removeCenter ? 1 : 0),
    groups,
    channelsPerGroup: geometry.inChannels / groups,
    offsetScale: attrs.offsetScale,
    removeCenter: attrs.removeCenter,
    centreHeight: Math.floor((dilations[0] * (kh - 1)) / 2),
    centreWidth: Math.floor((dilations[1] * (kw - 1)) / 2),
  };
}

/**
 * The kernel taps in InternImage's order: column-major (the column `a` is the
 * outer loop), the centre skipped when removeCenter. `[row, column]` pairs.
 */
export function dcnv3Taps(info: DCNv3Info): Array<[number, number]> {
  const taps: Array<[number, number]> = [];
  for (let a = 0; a < info.filterWidth; a++) {
    for (let b = 0; b < info.filterHeight; b++) {
      const centre =
        a === Math.floor(info.filterWidth / 2) && b === Math.floor(info.filterHeight / 2);
      if (!(info.removeCenter && centre)) {
        taps.push([b, a]);
      }
    }
  }
  return taps;
}
