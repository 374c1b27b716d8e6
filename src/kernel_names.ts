/**
 * Kernel names and their input/attribute types, in one place (as tfjs-core's
 * kernel_names.ts). Every backend registers kernels under these names.
 */
import type {NamedTensorInfoMap, TensorInfo} from '@tensorflow/tfjs-core';

/** Explicit padding `[[top, bottom], [left, right]]`, resolved by the op. */
export type ExplicitPad = [[number, number], [number, number]];

/** Attributes shared by every deformable-convolution kernel, forward and backward. */
export interface DeformConv2DAttrs {
  strides: [number, number];
  pad: ExplicitPad;
  dilations: [number, number];
  groups: number;
  offsetGroups: number;
}

/** DCNv1 forward: `x`, `filter`, `offset`, optional `bias`. */
export const DeformConv2D = 'DeformConv2D';
export interface DeformConv2DInputs extends NamedTensorInfoMap {
  x: TensorInfo;
  filter: TensorInfo;
  offset: TensorInfo;
}

/** DCNv2 forward: as DCNv1 plus `mask`. */
export const ModulatedDeformConv2D = 'ModulatedDeformConv2D';
export interface ModulatedDeformConv2DInputs extends DeformConv2DInputs {
  mask: TensorInfo;
}

/**
 * Backward of both ops through the sampler: returns `[dx, dOffset]`, plus
 * `dMask` when `mask` is given. One kernel, because all three are computed from
 * the same column gradient `dy · filterᵀ`.
 */
export const DeformConv2DBackpropInput = 'DeformConv2DBackpropInput';
export interface DeformConv2DBackpropInputInputs extends NamedTensorInfoMap {
  x: TensorInfo;
  filter: TensorInfo;
  offset: TensorInfo;
  dy: TensorInfo;
}

/** Backward of both ops w.r.t. the filter: `colsᵀ · dy`. Mask optional. */
export const DeformConv2DBackpropFilter = 'DeformConv2DBackpropFilter';
export interface DeformConv2DBackpropFilterAttrs extends DeformConv2DAttrs {
  filterShape: [number, number, number, number];
}
export interface DeformConv2DBackpropFilterInputs extends NamedTensorInfoMap {
  x: TensorInfo;
  offset: TensorInfo;
  dy: TensorInfo;
}
