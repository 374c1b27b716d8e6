/**
 * InternImage's DCNv3 module (Wang et al. 2023), channels-last, with its
 * defaults and initialisation: input projection; a depthwise convolution +
 * LayerNorm + GELU branch on the input that produces the offsets and, through
 * a softmax over each group's points, the masks; the DCNv3 core; optional
 * centre-feature scaling; output projection. Output channels = input channels.
 */
import {
  add,
  depthwiseConv2d,
  mul,
  reshape,
  serialization,
  sigmoid,
  softmax,
  sub,
  Tensor,
  Tensor4D,
  tidy,
} from '@tensorflow/tfjs-core';
import {InputSpec, layers, LayerVariable} from '@tensorflow/tfjs-layers';
import type {LayerArgs} from '@tensorflow/tfjs-layers/dist/engine/topology';
import type {Initializer} from '@tensorflow/tfjs-layers/dist/initializers';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types';

import {dcnv3} from '../ops/dcnv3';
import {outputExtent} from '../shape/window';
import {resolveKeras} from './keras_objects';
import {denseLastAxis, layerNorm} from './layer_util';

export interface DCNv3LayerArgs extends LayerArgs {
  /** Kernel size of the deformable sampling (square). Default 3. */
  kernelSize?: number;
  /** Kernel of the depthwise branch. Default `kernelSize`. */
  dwKernelSize?: number;
  strides?: number;
  /** Symmetric padding of the sampling grid. Default 1. */
  pad?: number;
  dilation?: number;
  /** Channel groups (input channels divisible by it). Default 4. */
  groups?: number;
  offsetScale?: number;
  /** Activation of the branch, a Keras name. Default 'gelu' (exact, erf). */
  activation?: string;
  centerFeatureScale?: boolean;
  removeCenter?: boolean;
}

interface Activation extends serialization.Serializable {
  apply(x: Tensor): Tensor;
}

export class DCNv3 extends layers.Layer {
  static className = 'DCNv3';
  readonly kernelSize: number;
  readonly dwKernelSize: number;
  readonly strides: number;
  readonly pad: number;
  readonly dilation: number;
  readonly groups: number;
  readonly offsetScale: number;
  readonly centerFeatureScale: boolean;
  readonly removeCenter: boolean;
  private readonly activation: Activation;
  private readonly weightsByName = new Map<string, LayerVariable>();

  constructor(args: DCNv3LayerArgs = {}) {
    super(args);
    this.kernelSize = args.kernelSize ?? 3;
    this.dwKernelSize = args.dwKernelSize ?? this.kernelSize;
    this.strides = args.strides ?? 1;
    this.pad = args.pad ?? 1;
    this.dilation = args.dilation ?? 1;
    this.groups = args.groups ?? 4;
    this.offsetScale = args.offsetScale ?? 1;
    this.centerFeatureScale = args.centerFeatureScale ?? false;
    this.removeCenter = args.removeCenter ?? false;
    this.activation = resolveKeras<Activation>('DCNv3', 'activation', args.activation ?? 'gelu')!;
    this.inputSpec = [new InputSpec({ndim: 4})];
  }

  private get points(): number {
    return this.kernelSize * this.kernelSize - (this.removeCenter ? 1 : 0);
  }

  override build(inputShape: (number | null)[] | (number | null)[][]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const channels = shape[3];
    if (channels == null || channels % this.groups !== 0) {
      throw new Error(
        `DCNv3: input channels (${channels}) must be known and divisible by groups (${this.groups})`,
      );
    }
    this.checkSize(shape);
    const init = (name: string, config = {}) =>
      resolveKeras<Initializer>('DCNv3', 'initializer', {className: name, config})!;
    const dwFanIn = this.dwKernelSize * this.dwKernelSize;
    // PyTorch's default Conv2d init: U(±1/sqrt(fan_in)) for weight and bias.
    const torchConv = init('RandomUniform', {
      minval: -1 / Math.sqrt(dwFanIn),
      maxval: 1 / Math.sqrt(dwFanIn),
    });
    const gp = this.groups * this.points;
    const weight = (name: string, shape: number[], initializer: Initializer) =>
      this.weightsByName.set(name, this.addWeight(name, shape, 'float32', initializer));
    weight('input_proj_kernel', [channels, channels], init('GlorotUniform'));
    weight('input_proj_bias', [channels], init('Zeros'));
    weight('dw_kernel', [this.dwKernelSize, this.dwKernelSize, channels, 1], torchConv);
    weight('dw_bias', [channels], torchConv);
    weight('norm_gamma', [channels], init('Ones'));
    weight('norm_beta', [channels], init('Zeros'));
    weight('offset_kernel', [channels, 2 * gp], init('Zeros'));
    weight('offset_bias', [2 * gp], init('Zeros'));
    weight('mask_kernel', [channels, gp], init('Zeros'));
    weight('mask_bias', [gp], init('Zeros'));
    if (this.centerFeatureScale) {
      weight('center_feature_scale_kernel', [channels, this.groups], init('Zeros'));
      weight('center_feature_scale_bias', [this.groups], init('Zeros'));
    }
    weight('output_proj_kernel', [channels, channels], init('GlorotUniform'));
    weight('output_proj_bias', [channels], init('Zeros'));
    this.inputSpec = [new InputSpec({ndim: 4, axes: {[-1]: channels}})];
    this.built = true;
  }

  /** The module computes offsets at the input's resolution: the sampling must keep the size. */
  private checkSize(shape: (number | null)[]): void {
    for (const size of [shape[1], shape[2]]) {
      if (
        size != null &&
        outputExtent(size, this.kernelSize, this.strides, this.dilation, this.pad, this.pad) !==
          size
      ) {
        throw new Error(
          `DCNv3: kernelSize ${this.kernelSize}, strides ${this.strides}, pad ${this.pad} and ` +
            `dilation ${this.dilation} change the size ${size}; the module needs them to keep it ` +
            `(offsets are computed at the input resolution)`,
        );
      }
    }
  }

  private w(name: string): Tensor {
    return this.weightsByName.get(name)!.read();
  }

  override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
    return tidy(() => {
      const u = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor4D;
      const branch = this.branch(u);
      const {offset, mask} = this.offsetAndMaskOf(branch);
      return this.sample(u, branch, offset, mask);
    });
  }

  /**
   * What the branch computes for `u` (a built layer), as the op takes it:
   * `offset` `[N, H, W, G·P·2]` (groups, column-major points, (Δx, Δy)
   * pairs) and `mask` `[N, H, W, G·P]` after the softmax over each group.
   */
  offsetsAndMask(u: Tensor4D): {offset: Tensor4D; mask: Tensor4D} {
    return tidy(() => this.offsetAndMaskOf(this.branch(u)));
  }

  /** The layer's output on `u` with the given offsets and mask in place of its branch's. */
  applyWithOffsets(u: Tensor4D, offset: Tensor4D, mask: Tensor4D): Tensor4D {
    return tidy(() => this.sample(u, this.branch(u), offset, mask));
  }

  /** Depthwise convolution, LayerNorm and activation: what offsets, masks and the centre scale come from. */
  private branch(u: Tensor4D): Tensor4D {
    const half = Math.floor((this.dwKernelSize - 1) / 2);
    const dw = add(
      depthwiseConv2d(u, this.w('dw_kernel') as Tensor4D, 1, [
        [0, 0],
        [half, half],
        [half, half],
        [0, 0],
      ]),
      this.w('dw_bias'),
    );
    return this.activation.apply(
      layerNorm(dw, this.w('norm_gamma'), this.w('norm_beta'), 1e-6),
    ) as Tensor4D;
  }

  private offsetAndMaskOf(branch: Tensor4D): {offset: Tensor4D; mask: Tensor4D} {
    const [n, h, w] = branch.shape;
    const offset = denseLastAxis(branch, this.w('offset_kernel'), this.w('offset_bias'));
    const logits = denseLastAxis(branch, this.w('mask_kernel'), this.w('mask_bias'));
    const mask = reshape(softmax(reshape(logits, [n, h, w, this.groups, this.points])), [
      n,
      h,
      w,
      this.groups * this.points,
    ]);
    return {offset: offset as Tensor4D, mask: mask as Tensor4D};
  }

  private sample(u: Tensor4D, branch: Tensor4D, offset: Tensor4D, mask: Tensor4D): Tensor4D {
    const [n, h, w, channels] = u.shape;
    const x = denseLastAxis(u, this.w('input_proj_kernel'), this.w('input_proj_bias'));
    let z: Tensor = dcnv3({
      x,
      offset,
      mask,
      kernelSize: this.kernelSize,
      strides: this.strides,
      pad: this.pad,
      dilations: this.dilation,
      groups: this.groups,
      offsetScale: this.offsetScale,
      removeCenter: this.removeCenter,
    });
    if (this.centerFeatureScale) {
      const perGroup = sigmoid(
        denseLastAxis(
          branch,
          this.w('center_feature_scale_kernel'),
          this.w('center_feature_scale_bias'),
        ),
      );
      // Channel g * C/G + c uses the scale of group g: broadcast over [..., G, C/G].
      const alpha = reshape(perGroup, [n, h, w, this.groups, 1]);
      const grouped = [n, h, w, this.groups, channels / this.groups];
      z = reshape(add(mul(reshape(z, grouped), sub(1, alpha)), mul(reshape(x, grouped), alpha)), [
        n,
        h,
        w,
        channels,
      ]);
    }
    return denseLastAxis(z, this.w('output_proj_kernel'), this.w('output_proj_bias')) as Tensor4D;
  }

  override computeOutputShape(
    inputShape: (number | null)[] | (number | null)[][],
  ): (number | null)[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    this.checkSize(shape);
    return shape;
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      kernelSize: this.kernelSize,
      dwKernelSize: this.dwKernelSize,
      strides: this.strides,
      pad: this.pad,
      dilation: this.dilation,
      groups: this.groups,
      offsetScale: this.offsetScale,
      activation: this.activation.getClassName(),
      centerFeatureScale: this.centerFeatureScale,
      removeCenter: this.removeCenter,
    };
  }
}
serialization.registerClass(DCNv3);

export function dcnv3Layer(args?: DCNv3LayerArgs): DCNv3 {
  return new DCNv3(args);
}
