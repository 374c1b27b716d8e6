/**
 * The parameter blocks of our wasm module's passes (assembly/params.ts): i32
 * words written into the heap before a pass, whose address the pass takes.
 * The field lists here are the blocks' layouts, in the order of the classes
 * there; test/specs/wasm_exports.spec.ts checks their lengths against the
 * module's `paramWords`.
 */
import type {backend_util} from '@tensorflow/tfjs-core';

import type {PSRoIPoolInfo, RoIPoolInfo} from '../../shape/roi_pool';
import type {WindowGeometry} from '../../shape/window';

const IMAGE_FIELDS = ['batchSize', 'height', 'width', 'channels'] as const;

/** Each kind of block's fields, in order; the kind's index is its id in `paramWords`. */
export const PARAM_LAYOUTS = {
  window: [
    ...IMAGE_FIELDS,
    'outHeight',
    'outWidth',
    'filterHeight',
    'filterWidth',
    'strideHeight',
    'strideWidth',
    'dilationHeight',
    'dilationWidth',
    'padTop',
    'padLeft',
    'groups',
    'offsetGroups',
  ],
  roiPool: [...IMAGE_FIELDS, 'pooledHeight', 'pooledWidth', 'samplingRatio'],
  psRoiPool: [
    ...IMAGE_FIELDS,
    'outputDim',
    'groupSize',
    'pooledHeight',
    'pooledWidth',
    'partHeight',
    'partWidth',
    'samplesPerPart',
    'classes',
  ],
} as const;

export type ParamKind = keyof typeof PARAM_LAYOUTS;

/** The kinds' ids in the module's `paramWords`. */
export const PARAM_KIND_IDS: {[K in ParamKind]: number} = {window: 0, roiPool: 1, psRoiPool: 2};

/** The values of a block of kind `K`, by field. */
export type ParamValues<K extends ParamKind> = {
  [F in (typeof PARAM_LAYOUTS)[K][number]]: number;
};

/** A block's words, ready to be written into the heap. */
export interface ParamBlock {
  readonly words: Int32Array;
}

export function paramBlock<K extends ParamKind>(kind: K, values: ParamValues<K>): ParamBlock {
  const fields: readonly (keyof ParamValues<K>)[] = PARAM_LAYOUTS[kind];
  return {words: Int32Array.from(fields, field => values[field])};
}

/**
 * The window block of a window op. `offsetGroups` defaults to `groups`: for
 * DCNv3 and involution, whose channel groups are also their sampling groups,
 * a run of the module is then one group's channels.
 */
export function windowParams(
  geometry: WindowGeometry,
  groups: number,
  offsetGroups = groups,
): ParamBlock {
  return paramBlock('window', {
    batchSize: geometry.batchSize,
    height: geometry.inHeight,
    width: geometry.inWidth,
    channels: geometry.inChannels,
    outHeight: geometry.outHeight,
    outWidth: geometry.outWidth,
    filterHeight: geometry.filterHeight,
    filterWidth: geometry.filterWidth,
    strideHeight: geometry.strideHeight,
    strideWidth: geometry.strideWidth,
    dilationHeight: geometry.dilationHeight,
    dilationWidth: geometry.dilationWidth,
    padTop: geometry.padTop,
    padLeft: geometry.padLeft,
    groups,
    offsetGroups,
  });
}

/** The window block of tf.depthwiseConv2d's gradients, from tfjs's conv info (`x`'s channels). */
export function depthwiseParams(info: backend_util.Conv2DInfo): ParamBlock {
  return windowParams(
    {
      batchSize: info.batchSize,
      inHeight: info.inHeight,
      inWidth: info.inWidth,
      inChannels: info.inChannels,
      outHeight: info.outHeight,
      outWidth: info.outWidth,
      filterHeight: info.filterHeight,
      filterWidth: info.filterWidth,
      strideHeight: info.strideHeight,
      strideWidth: info.strideWidth,
      dilationHeight: info.dilationHeight,
      dilationWidth: info.dilationWidth,
      padTop: info.padInfo.top,
      padLeft: info.padInfo.left,
    },
    1,
  );
}

/** A RoI pooling's block. */
export function roiPoolParams(info: RoIPoolInfo): ParamBlock {
  return paramBlock('roiPool', info);
}

/** A position-sensitive RoI pooling's block. */
export function psRoiPoolParams(info: PSRoIPoolInfo): ParamBlock {
  return paramBlock('psRoiPool', info);
}
