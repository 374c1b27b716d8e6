/**
 * RedNet's involution module (Li et al. 2021), channels-last: the kernel is
 * generated from the input (average-pooled by the stride) by a 1x1 reduction
 * with BatchNorm and ReLU and a 1x1 span to `groups * k * k` channels, then
 * applied by the involution op; `groups = channels / groupChannels`.
 */
import {
  add,
  avgPool,
  moments,
  mul,
  relu,
  serialization,
  Tensor,
  Tensor4D,
  tidy,
} from '@tensorflow/tfjs-core';
import {InputSpec, layers, LayerVariable} from '@tensorflow/tfjs-layers';
import type {LayerArgs} from '@tensorflow/tfjs-layers/dist/engine/topology';
import type {Initializer} from '@tensorflow/tfjs-layers/dist/initializers';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types';

import {involution} from '../ops/involution';
import {resolveKeras} from './keras_objects';
import {denseLastAxis, normalize} from './layer_util';

export interface InvolutionLayerArgs extends LayerArgs {
  kernelSize: number;
  strides?: number;
  /** Channels per group. Default 16. */
  groupChannels?: number;
  /** Reduction of the kernel-generating branch. Default 4. */
  reductionRatio?: number;
}

/** PyTorch BatchNorm2d's defaults (converted checkpoints carry its statistics). */
const BN_EPSILON = 1e-5;
const BN_MOMENTUM = 0.1;

export class Involution extends layers.Layer {
  static className = 'Involution';
  readonly kernelSize: number;
  readonly strides: number;
  readonly groupChannels: number;
  readonly reductionRatio: number;
  private readonly weightsByName = new Map<string, LayerVariable>();

  constructor(args: InvolutionLayerArgs) {
    super(args);
    if (!(Number.isInteger(args.kernelSize) && args.kernelSize > 0)) {
      throw new Error(`Involution: kernelSize must be a positive integer, got ${args.kernelSize}`);
    }
    this.kernelSize = args.kernelSize;
    this.strides = args.strides ?? 1;
    this.groupChannels = args.groupChannels ?? 16;
    this.reductionRatio = args.reductionRatio ?? 4;
    this.inputSpec = [new InputSpec({ndim: 4})];
  }

  override build(inputShape: (number | null)[] | (number | null)[][]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const channels = shape[3];
    if (
      channels == null ||
      channels % this.groupChannels !== 0 ||
      channels % this.reductionRatio !== 0
    ) {
      throw new Error(
        `Involution: input channels (${channels}) must be known and divisible by ` +
          `groupChannels (${this.groupChannels}) and reductionRatio (${this.reductionRatio})`,
      );
    }
    this.checkSize(shape);
    const reduced = channels / this.reductionRatio;
    const span = (channels / this.groupChannels) * this.kernelSize * this.kernelSize;
    const init = (name: string, config = {}) =>
      resolveKeras<Initializer>('Involution', 'initializer', {className: name, config})!;
    // mmcv ConvModule: Kaiming normal, fan_out, ReLU gain; bias 0; BN 1 / 0.
    const kaiming = init('VarianceScaling', {scale: 2, mode: 'fanOut', distribution: 'normal'});
    const weight = (name: string, shape: number[], initializer: Initializer, trainable = true) =>
      this.weightsByName.set(
        name,
        this.addWeight(name, shape, 'float32', initializer, undefined, trainable),
      );
    weight('reduce_kernel', [channels, reduced], kaiming);
    weight('bn_gamma', [reduced], init('Ones'));
    weight('bn_beta', [reduced], init('Zeros'));
    weight('bn_moving_mean', [reduced], init('Zeros'), false);
    weight('bn_moving_variance', [reduced], init('Ones'), false);
    weight('span_kernel', [reduced, span], kaiming);
    weight('span_bias', [span], init('Zeros'));
    this.inputSpec = [new InputSpec({ndim: 4, axes: {[-1]: channels}})];
    this.built = true;
  }

  /**
   * The kernel comes from the input pooled by the stride (`floor(H / s)`),
   * which matches the op's output only when the stride divides the size: the
   * reference leaves other sizes undefined, so they are rejected.
   */
  private checkSize(shape: (number | null)[]): void {
    for (const size of [shape[1], shape[2]]) {
      if (size != null && this.strides > 1 && size % this.strides !== 0) {
        throw new Error(
          `Involution: strides ${this.strides} must divide the input size ${size} ` +
            `(the kernel is generated from the input average-pooled by the stride)`,
        );
      }
    }
  }

  private variable(name: string): LayerVariable {
    return this.weightsByName.get(name)!;
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    return tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor4D;
      return involution({
        x,
        kernel: this.generateKernels(x, Boolean(kwargs.training)),
        kernelSize: this.kernelSize,
        strides: this.strides,
        groups: x.shape[3] / this.groupChannels,
      });
    });
  }

  /**
   * The kernels the layer generates for `x` (a built layer, inference mode:
   * BatchNorm's moving statistics), as the op takes them:
   * `[N, Ho, Wo, groups·k·k]`, groups outermost, row-major taps.
   */
  kernels(x: Tensor4D): Tensor4D {
    return tidy(() => this.generateKernels(x, false));
  }

  private generateKernels(x: Tensor4D, training: boolean): Tensor4D {
    const pooled = this.strides > 1 ? avgPool(x, this.strides, this.strides, 'valid') : x;
    const reduced = denseLastAxis(pooled, this.variable('reduce_kernel').read());
    const [gamma, beta] = [this.variable('bn_gamma').read(), this.variable('bn_beta').read()];
    const movingMean = this.variable('bn_moving_mean');
    const movingVariance = this.variable('bn_moving_variance');
    let normalized: Tensor;
    if (training) {
      const {mean, variance} = moments(reduced, [0, 1, 2]);
      normalized = normalize(reduced, mean, variance, BN_EPSILON, gamma, beta);
      // PyTorch's update: the running variance takes the unbiased estimate.
      const count = reduced.size / reduced.shape[3]!;
      movingMean.write(add(mul(movingMean.read(), 1 - BN_MOMENTUM), mul(mean, BN_MOMENTUM)));
      movingVariance.write(
        add(
          mul(movingVariance.read(), 1 - BN_MOMENTUM),
          mul(variance, (BN_MOMENTUM * count) / Math.max(count - 1, 1)),
        ),
      );
    } else {
      normalized = normalize(
        reduced,
        movingMean.read(),
        movingVariance.read(),
        BN_EPSILON,
        gamma,
        beta,
      );
    }
    return denseLastAxis(
      relu(normalized),
      this.variable('span_kernel').read(),
      this.variable('span_bias').read(),
    ) as Tensor4D;
  }

  override computeOutputShape(
    inputShape: (number | null)[] | (number | null)[][],
  ): (number | null)[] {
    const [n, h, w, c] = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (
      number | null
    )[];
    this.checkSize([n, h, w, c]);
    const out = (size: number | null) =>
      size == null ? null : Math.floor((size - 1) / this.strides) + 1;
    return [n, out(h), out(w), c];
  }

  /** PyTorch's count: BatchNorm's running statistics are buffers, not parameters. */
  override countParams(): number {
    return this.trainableWeights.reduce(
      (sum, w) => sum + (w.shape as number[]).reduce((a, b) => a * b, 1),
      0,
    );
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      kernelSize: this.kernelSize,
      strides: this.strides,
      groupChannels: this.groupChannels,
      reductionRatio: this.reductionRatio,
    };
  }
}
serialization.registerClass(Involution);

export function involutionLayer(args: InvolutionLayerArgs): Involution {
  return new Involution(args);
}
