/**
 * Window geometry: where a sliding window reads, for every op with one
 * (DCNv1/v2, DCNv3, involution). Computed once here and imported by the ops
 * (validation) and every backend's kernels, as tfjs's backend_util.
 */
import {checkArg} from '../check_arg';
import type {ExplicitPad} from '../kernel_names';

/** Padding as the ops accept it. */
export type PadArg =
  number | [number, number] | [[number, number], [number, number]] | 'valid' | 'same';

/**
 * Where a sliding window reads: the geometry shared by every op of the
 * package (DCNv1/v2, DCNv3, involution), computed once for all backends.
 */
export interface WindowGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

/** Output extent of one spatial axis (PyTorch's formula, with split pads). */
export function outputExtent(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  padBegin: number,
  padEnd: number,
): number {
  return Math.floor((size + padBegin + padEnd - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** tfjs 'same': output `ceil(size / stride)`, the odd pixel of padding at the end. */
function samePad(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max(0, (out - 1) * stride + dilation * (kernel - 1) + 1 - size);
  const begin = Math.floor(total / 2);
  return [begin, total - begin];
}

/** Resolves every accepted padding form into `[[top, bottom], [left, right]]`. */
export function resolvePad(
  opName: string,
  pad: PadArg,
  inHeight: number,
  inWidth: number,
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number],
): ExplicitPad {
  let explicit: ExplicitPad;
  if (pad === 'valid') {
    explicit = [
      [0, 0],
      [0, 0],
    ];
  } else if (pad === 'same') {
    explicit = [
      samePad(inHeight, kernel[0], strides[0], dilations[0]),
      samePad(inWidth, kernel[1], strides[1], dilations[1]),
    ];
  } else if (typeof pad === 'number') {
    explicit = [
      [pad, pad],
      [pad, pad],
    ];
  } else if (
    Array.isArray(pad) &&
    pad.length === 2 &&
    typeof pad[0] === 'number' &&
    typeof pad[1] === 'number'
  ) {
    const [h, w] = pad as [number, number];
    explicit = [
      [h, h],
      [w, w],
    ];
  } else if (
    Array.isArray(pad) &&
    pad.length === 2 &&
    Array.isArray(pad[0]) &&
    Array.isArray(pad[1]) &&
    pad[0].length === 2 &&
    pad[1].length === 2
  ) {
    explicit = pad as ExplicitPad;
  } else {
    throw new Error(
      `${opName}: pad must be a number, [padH, padW], ` +
        `[[top, bottom], [left, right]], 'valid' or 'same', got ` +
        `${JSON.stringify(pad)}`,
    );
  }
  for (const p of [...explicit[0], ...explicit[1]]) {
    checkArg(
      Number.isInteger(p) && p >= 0,
      opName,
      `pad must be non-negative integers, got ${JSON.stringify(pad)}`,
    );
  }
  return explicit;
}

export function computeWindowGeometry(
  xShape: number[],
  [filterHeight, filterWidth]: [number, number],
  strides: [number, number],
  dilations: [number, number],
  pad: ExplicitPad,
): WindowGeometry {
  const [batchSize, inHeight, inWidth, inChannels] = xShape;
  return {
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight: outputExtent(inHeight, filterHeight, strides[0], dilations[0], pad[0][0], pad[0][1]),
    outWidth: outputExtent(inWidth, filterWidth, strides[1], dilations[1], pad[1][0], pad[1][1]),
    filterHeight,
    filterWidth,
    strideHeight: strides[0],
    strideWidth: strides[1],
    dilationHeight: dilations[0],
    dilationWidth: dilations[1],
    padTop: pad[0][0],
    padLeft: pad[1][0],
  };
}
