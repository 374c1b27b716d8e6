/**
 * What DeformConv2D and ModulatedDeformConv2D share: a deformable convolution
 * that owns its offset branch, as mmcv's DeformConv2dPack /
 * ModulatedDeformConv2dPack: a plain convolution with the same kernel size,
 * strides, padding and dilation, over all input channels, zero-initialised so
 * a new layer starts as a plain convolution (DCNv2: mask 0.5 everywhere).
 */
import {
  conv2d,
  add,
  serialization,
  sigmoid,
  split,
  Tensor,
  Tensor4D,
  tidy,
  zeros,
} from '@tensorflow/tfjs-core';
import {InputSpec, layers, LayerVariable} from '@tensorflow/tfjs-layers';
import type {Constraint} from '@tensorflow/tfjs-layers/dist/constraints';
import type {LayerArgs} from '@tensorflow/tfjs-layers/dist/engine/topology';
import type {Initializer} from '@tensorflow/tfjs-layers/dist/initializers';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types';
import type {Regularizer} from '@tensorflow/tfjs-layers/dist/regularizers';

import {deformConv2d} from '../ops/deform_conv2d';
import {outputExtent, resolvePad} from '../shape/window';
import {pair} from '../ops/op_util';
import {KerasIdentifier, resolveKeras, serializeKeras} from './keras_objects';

export type LayerPadding = 'valid' | 'same' | number | [number, number];

export interface DeformConvLayerArgs extends LayerArgs {
  /** Output channels. */
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  /**
   * 'valid', 'same' (tfjs's rule), or PyTorch's symmetric padding as a number
   * or `[padH, padW]` (needed to port modules: with stride 2, PyTorch's pad 1
   * is not tfjs's 'same').
   */
  padding?: LayerPadding;
  dilationRate?: number | [number, number];
  /** Grouped convolution (input and output channels divisible by it). Default 1. */
  groups?: number;
  /** Offset groups of the deformable sampling. Default 1. */
  offsetGroups?: number;
  /** Default true. */
  useBias?: boolean;
  /** A Keras activation name ('relu', 'linear', ...). Default none (linear). */
  activation?: string;
  kernelInitializer?: KerasIdentifier;
  biasInitializer?: KerasIdentifier;
  kernelRegularizer?: KerasIdentifier;
  biasRegularizer?: KerasIdentifier;
  kernelConstraint?: KerasIdentifier;
  biasConstraint?: KerasIdentifier;
}

interface Activation extends serialization.Serializable {
  apply(x: Tensor): Tensor;
}

export abstract class DeformConvLayerBase extends layers.Layer {
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: LayerPadding;
  readonly dilationRate: [number, number];
  readonly groups: number;
  readonly offsetGroups: number;
  readonly useBias: boolean;
  private readonly activation: Activation | null;
  private readonly kernelInitializer: Initializer;
  private readonly biasInitializer: Initializer;
  private readonly kernelRegularizer: Regularizer | null;
  private readonly biasRegularizer: Regularizer | null;
  private readonly kernelConstraint: Constraint | null;
  private readonly biasConstraint: Constraint | null;
  private kernel?: LayerVariable;
  private bias?: LayerVariable;
  private offsetKernel?: LayerVariable;
  private offsetBias?: LayerVariable;

  /** Output channels of the offset branch per offset group and tap: 2 (DCNv1) or 3 (DCNv2). */
  protected abstract readonly channelsPerTap: number;

  /** The deformable op on `x` with these offsets (and DCNv2's mask). */
  protected abstract deform(
    x: Tensor4D,
    offset: Tensor4D,
    mask: Tensor4D | undefined,
    filter: Tensor4D,
    bias?: Tensor,
  ): Tensor4D;

  constructor(args: DeformConvLayerArgs) {
    super(args);
    const name = this.getClassName();
    if (!(Number.isInteger(args.filters) && args.filters > 0)) {
      throw new Error(`${name}: filters must be a positive integer, got ${args.filters}`);
    }
    this.filters = args.filters;
    this.kernelSize = pair(name, 'kernelSize', args.kernelSize);
    this.strides = pair(name, 'strides', args.strides ?? 1);
    this.dilationRate = pair(name, 'dilationRate', args.dilationRate ?? 1);
    const padding =
      typeof args.padding === 'string' ? args.padding.toLowerCase() : (args.padding ?? 'valid');
    if (typeof padding === 'string' && padding !== 'valid' && padding !== 'same') {
      throw new Error(
        `${name}: padding must be 'valid', 'same', a number or [padH, padW], got ${args.padding}`,
      );
    }
    // Numbers are checked as the op checks its pad.
    resolvePad(name, padding as LayerPadding, 1, 1, [1, 1], [1, 1], [1, 1]);
    this.padding = padding as LayerPadding;
    this.groups = args.groups ?? 1;
    this.offsetGroups = args.offsetGroups ?? 1;
    this.useBias = args.useBias ?? true;
    this.activation = resolveKeras(name, 'activation', args.activation);
    this.kernelInitializer = resolveKeras(
      name,
      'initializer',
      args.kernelInitializer ?? 'glorotUniform',
    )!;
    this.biasInitializer = resolveKeras(name, 'initializer', args.biasInitializer ?? 'zeros')!;
    this.kernelRegularizer = resolveKeras(name, 'regularizer', args.kernelRegularizer);
    this.biasRegularizer = resolveKeras(name, 'regularizer', args.biasRegularizer);
    this.kernelConstraint = resolveKeras(name, 'constraint', args.kernelConstraint);
    this.biasConstraint = resolveKeras(name, 'constraint', args.biasConstraint);
    this.inputSpec = [new InputSpec({ndim: 4})];
  }

  override build(inputShape: (number | null)[] | (number | null)[][]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const channels = shape[3];
    const name = this.getClassName();
    if (channels == null) {
      throw new Error(`${name}: the channel dimension of the input must be known`);
    }
    if (channels % this.groups !== 0 || this.filters % this.groups !== 0) {
      throw new Error(
        `${name}: input channels (${channels}) and filters (${
          this.filters
        }) must be divisible by groups (${this.groups})`,
      );
    }
    if (channels % this.offsetGroups !== 0) {
      throw new Error(
        `${name}: input channels (${channels}) must be divisible by offsetGroups (${
          this.offsetGroups
        })`,
      );
    }
    const [kh, kw] = this.kernelSize;
    const branch = this.channelsPerTap * this.offsetGroups * kh * kw;
    this.kernel = this.addWeight(
      'kernel',
      [kh, kw, channels / this.groups, this.filters],
      'float32',
      this.kernelInitializer,
      this.kernelRegularizer ?? undefined,
      true,
      this.kernelConstraint ?? undefined,
    );
    if (this.useBias) {
      this.bias = this.addWeight(
        'bias',
        [this.filters],
        'float32',
        this.biasInitializer,
        this.biasRegularizer ?? undefined,
        true,
        this.biasConstraint ?? undefined,
      );
    }
    const zerosInit = resolveKeras<Initializer>(name, 'initializer', 'zeros')!;
    this.offsetKernel = this.addWeight(
      'offset_kernel',
      [kh, kw, channels, branch],
      'float32',
      zerosInit,
    );
    this.offsetBias = this.addWeight('offset_bias', [branch], 'float32', zerosInit);
    this.inputSpec = [new InputSpec({ndim: 4, axes: {[-1]: channels}})];
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
    return tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor4D;
      const {offset, mask} = this.offsetsAndMask(x);
      return this.applyWithOffsets(x, offset, mask);
    });
  }

  /**
   * What the offset branch computes for `x` (a built layer): `offset`
   * `[N, Ho, Wo, 2·D·kh·kw]` as the op takes it (offset groups outermost,
   * row-major taps, (Δy, Δx) pairs), and for DCNv2 `mask` `[N, Ho, Wo, D·kh·kw]`
   * after the sigmoid.
   */
  offsetsAndMask(x: Tensor4D): {offset: Tensor4D; mask?: Tensor4D} {
    return tidy(() => {
      const branch = add(this.offsetConv(x), this.offsetBias!.read()) as Tensor4D;
      if (this.channelsPerTap === 2) {
        return {offset: branch};
      }
      const taps = branch.shape[3] / 3;
      const [offset, logits] = split(branch, [2 * taps, taps], 3) as Tensor4D[];
      return {offset, mask: sigmoid(logits)};
    });
  }

  /**
   * The layer's output on `x` with the given offsets (and mask) in place of
   * its branch's: its kernel, bias and activation. For analysis (moving a
   * sampling location) and for editing what the layer looks at.
   */
  applyWithOffsets(x: Tensor4D, offset: Tensor4D, mask?: Tensor4D): Tensor4D {
    return tidy(() => {
      const y = this.deform(x, offset, mask, this.kernel!.read() as Tensor4D, this.bias?.read());
      return this.activation ? (this.activation.apply(y) as Tensor4D) : y;
    });
  }

  /**
   * The offset branch's convolution. tf.conv2d has no gradient for dilations
   * above 1 (and rejects them with strides above 1), so a dilated branch runs
   * as our op with zero offsets (the same convolution, with gradients).
   */
  private offsetConv(x: Tensor4D): Tensor4D {
    const filter = this.offsetKernel!.read() as Tensor4D;
    if (Math.max(...this.dilationRate) === 1) {
      return conv2d(x, filter, this.strides, this.conv2dPadding, 'NHWC', this.dilationRate);
    }
    const [n, ho, wo] = this.outputSpatialShape(x.shape);
    const [kh, kw] = this.kernelSize;
    return deformConv2d({
      x,
      filter,
      offset: zeros([n!, ho!, wo!, 2 * kh * kw]),
      strides: this.strides,
      pad: this.padding,
      dilations: this.dilationRate,
    });
  }

  /** `padding` as tf.conv2d takes it. */
  private get conv2dPadding():
    'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]] {
    if (typeof this.padding === 'string') {
      return this.padding;
    }
    const [h, w] = typeof this.padding === 'number' ? [this.padding, this.padding] : this.padding;
    return [
      [0, 0],
      [h, h],
      [w, w],
      [0, 0],
    ];
  }

  protected get opArgs() {
    return {
      strides: this.strides,
      pad: this.padding,
      dilations: this.dilationRate,
      groups: this.groups,
      offsetGroups: this.offsetGroups,
    };
  }

  private outputSpatialShape(shape: (number | null)[]): (number | null)[] {
    const [n, h, w] = shape;
    const extent = (size: number | null, axis: 0 | 1) => {
      if (size == null) {
        return null;
      }
      const k = this.kernelSize[axis];
      const [begin, end] = resolvePad(
        this.getClassName(),
        this.padding,
        size,
        size,
        [k, k],
        [this.strides[axis], this.strides[axis]],
        [this.dilationRate[axis], this.dilationRate[axis]],
      )[0];
      return outputExtent(size, k, this.strides[axis], this.dilationRate[axis], begin, end);
    };
    return [n, extent(h, 0), extent(w, 1)];
  }

  override computeOutputShape(
    inputShape: (number | null)[] | (number | null)[][],
  ): (number | null)[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    return [...this.outputSpatialShape(shape), this.filters];
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      groups: this.groups,
      offsetGroups: this.offsetGroups,
      useBias: this.useBias,
      activation: this.activation?.getClassName() ?? null,
      kernelInitializer: serializeKeras(this.kernelInitializer),
      biasInitializer: serializeKeras(this.biasInitializer),
      kernelRegularizer: serializeKeras(this.kernelRegularizer),
      biasRegularizer: serializeKeras(this.biasRegularizer),
      kernelConstraint: serializeKeras(this.kernelConstraint),
      biasConstraint: serializeKeras(this.biasConstraint),
    };
  }
}
