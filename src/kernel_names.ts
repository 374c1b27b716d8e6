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
  bias?: TensorInfo;
}

/** DCNv2 forward: as DCNv1 plus `mask`. */
export const ModulatedDeformConv2D = 'ModulatedDeformConv2D';
export interface ModulatedDeformConv2DInputs extends DeformConv2DInputs {
  mask: TensorInfo;
}

/**
 * Backward of both ops through the sampler: returns `[dx, dOffset]`, plus
 * `dMask` when `mask` is given. One kernel, because all three are computed from
 * the same column gradient `dy · filterᵀ`. With `keepColumns`, a backend
 * that samples the columns in the same walk (`fusedInputGrads`) also returns
 * them, last, when all rows fit one column buffer: the filter gradient's
 * `columns` input, which then needs no sampling of its own.
 */
export const DeformConv2DBackpropInput = 'DeformConv2DBackpropInput';
export interface DeformConv2DBackpropInputAttrs extends DeformConv2DAttrs {
  keepColumns?: boolean;
}
export interface DeformConv2DBackpropInputInputs extends NamedTensorInfoMap {
  x: TensorInfo;
  filter: TensorInfo;
  offset: TensorInfo;
  mask?: TensorInfo;
  dy: TensorInfo;
}

/**
 * Backward of both ops w.r.t. the filter: `colsᵀ · dy`. Mask optional;
 * `columns` (`[G, N Ho Wo, K C/G]`, from DeformConv2DBackpropInput with
 * `keepColumns`), when given, are used instead of sampling `x` again.
 */
export const DeformConv2DBackpropFilter = 'DeformConv2DBackpropFilter';
export interface DeformConv2DBackpropFilterAttrs extends DeformConv2DAttrs {
  filterShape: [number, number, number, number];
}
export interface DeformConv2DBackpropFilterInputs extends NamedTensorInfoMap {
  x: TensorInfo;
  offset: TensorInfo;
  mask?: TensorInfo;
  dy: TensorInfo;
  columns?: TensorInfo;
}

/** InternImage's DCNv3 core: `x`, `offset`, `mask`. */
export const DCNv3 = 'DCNv3';
export interface DCNv3Inputs extends NamedTensorInfoMap {
  x: TensorInfo;
  offset: TensorInfo;
  mask: TensorInfo;
}
export interface DCNv3Attrs {
  kernelSize: [number, number];
  strides: [number, number];
  pad: ExplicitPad;
  dilations: [number, number];
  groups: number;
  offsetScale: number;
  removeCenter: boolean;
}

/** Backward of DCNv3: inputs as the forward plus `dy`; returns `[dx, dOffset, dMask]`. */
export const DCNv3BackpropInput = 'DCNv3BackpropInput';
export interface DCNv3BackpropInputInputs extends DCNv3Inputs {
  dy: TensorInfo;
}

/** Involution (Li et al. 2021): `x`, and `kernel`, one generated kernel per output position and group. */
export const Involution = 'Involution';
export interface InvolutionInputs extends NamedTensorInfoMap {
  x: TensorInfo;
  kernel: TensorInfo;
}
export interface InvolutionAttrs {
  kernelSize: [number, number];
  strides: [number, number];
  pad: ExplicitPad;
  dilations: [number, number];
  groups: number;
}

/** Backward of Involution: inputs as the forward plus `dy`; returns `[dx, dKernel]`. */
export const InvolutionBackpropInput = 'InvolutionBackpropInput';
export interface InvolutionBackpropInputInputs extends InvolutionInputs {
  dy: TensorInfo;
}

/** mmcv's DeformRoIPool: `x`, `rois` `[R, 5]`, `offset` `[R, ph, pw, 2]` (zeros when the user gives none). */
export const DeformRoIPool = 'DeformRoIPool';
export interface DeformRoIPoolInputs extends NamedTensorInfoMap {
  x: TensorInfo;
  rois: TensorInfo;
  offset: TensorInfo;
}
export interface DeformRoIPoolAttrs {
  outputSize: [number, number];
  spatialScale: number;
  samplingRatio: number;
  gamma: number;
}
/** DeformRoIPool times a per-bin `mask` `[R, ph, pw, 1]` (mmcv's modulated variant). */
export const ModulatedDeformRoIPool = 'ModulatedDeformRoIPool';
export interface ModulatedDeformRoIPoolInputs extends DeformRoIPoolInputs {
  mask: TensorInfo;
}
/** Backward of DeformRoIPool: inputs as the forward plus `dy`; returns `[dx, dOffset]`. */
export const DeformRoIPoolBackprop = 'DeformRoIPoolBackprop';
export interface DeformRoIPoolBackpropInputs extends DeformRoIPoolInputs {
  dy: TensorInfo;
}

/** DCNv1's deformable position-sensitive RoI pooling: `x`, `rois`, `offset` (trans; zeros when none). */
export const DeformPSRoIPool = 'DeformPSRoIPool';
export interface DeformPSRoIPoolInputs extends NamedTensorInfoMap {
  x: TensorInfo;
  rois: TensorInfo;
  offset: TensorInfo;
}
export interface DeformPSRoIPoolAttrs {
  outputDim: number;
  groupSize: number;
  outputSize: [number, number];
  partSize: [number, number];
  samplesPerPart: number;
  spatialScale: number;
  transStd: number;
}
/** Backward of DeformPSRoIPool: returns `[dx, dOffset]`. */
export const DeformPSRoIPoolBackprop = 'DeformPSRoIPoolBackprop';
export interface DeformPSRoIPoolBackpropInputs extends DeformPSRoIPoolInputs {
  dy: TensorInfo;
}

/** Inputs and attributes of every kernel above, by name: what a backend's kernel function receives. */
export interface KernelTypes {
  [DeformConv2D]: {inputs: DeformConv2DInputs; attrs: DeformConv2DAttrs};
  [ModulatedDeformConv2D]: {inputs: ModulatedDeformConv2DInputs; attrs: DeformConv2DAttrs};
  [DeformConv2DBackpropInput]: {
    inputs: DeformConv2DBackpropInputInputs;
    attrs: DeformConv2DBackpropInputAttrs;
  };
  [DeformConv2DBackpropFilter]: {
    inputs: DeformConv2DBackpropFilterInputs;
    attrs: DeformConv2DBackpropFilterAttrs;
  };
  [DCNv3]: {inputs: DCNv3Inputs; attrs: DCNv3Attrs};
  [DCNv3BackpropInput]: {inputs: DCNv3BackpropInputInputs; attrs: DCNv3Attrs};
  [Involution]: {inputs: InvolutionInputs; attrs: InvolutionAttrs};
  [InvolutionBackpropInput]: {inputs: InvolutionBackpropInputInputs; attrs: InvolutionAttrs};
  [DeformRoIPool]: {inputs: DeformRoIPoolInputs; attrs: DeformRoIPoolAttrs};
  [ModulatedDeformRoIPool]: {inputs: ModulatedDeformRoIPoolInputs; attrs: DeformRoIPoolAttrs};
  [DeformRoIPoolBackprop]: {inputs: DeformRoIPoolBackpropInputs; attrs: DeformRoIPoolAttrs};
  [DeformPSRoIPool]: {inputs: DeformPSRoIPoolInputs; attrs: DeformPSRoIPoolAttrs};
  [DeformPSRoIPoolBackprop]: {inputs: DeformPSRoIPoolBackpropInputs; attrs: DeformPSRoIPoolAttrs};
}
