/**
 * Deformable RoI pooling as a layer on `[features, rois]`: plain
 * (`offsetBranch: false`) or as mmcv's `DeformRoIPoolPack` — a first
 * pooling without offsets feeds a 3-layer fully-connected branch whose
 * output (zero-initialised) moves the bins of a second pooling — and, with
 * `modulated`, `ModulatedDeformRoIPoolPack`'s mask branch (sigmoid, zero-init
 * last layer, so a fresh layer halves the pooled values).
 *
 * Layouts differ from PyTorch's in two places, for channels-last: the branch
 * input is the pooled `[R, ph, pw, C]` flattened in that order (PyTorch: `C,
 * ph, pw`), and the offset layer's outputs are ordered `(ph, pw, Δx|Δy)`
 * (PyTorch: `Δx|Δy, ph, pw`); permute those rows / columns when converting.
 */
import {
  relu,
  reshape,
  serialization,
  sigmoid,
  Tensor,
  Tensor2D,
  Tensor4D,
  tidy,
} from '@tensorflow/tfjs-core';
import {layers, LayerVariable} from '@tensorflow/tfjs-layers';
import type {LayerArgs} from '@tensorflow/tfjs-layers/dist/engine/topology';
import type {Initializer} from '@tensorflow/tfjs-layers/dist/initializers';
import type {Kwargs} from '@tensorflow/tfjs-layers/dist/types';

import {deformRoiPool, modulatedDeformRoiPool} from '../ops/deform_roi_pool';
import {pair} from '../ops/op_util';
import {resolveKeras} from './keras_objects';
import {denseLastAxis} from './layer_util';

export interface DeformRoIPoolLayerArgs extends LayerArgs {
  outputSize: number | [number, number];
  spatialScale?: number;
  samplingRatio?: number;
  gamma?: number;
  /** mmcv's fully-connected offset branch (DeformRoIPoolPack). Default true. */
  offsetBranch?: boolean;
  /** Also the mask branch (ModulatedDeformRoIPoolPack); needs the offset branch. Default false. */
  modulated?: boolean;
  /** Width of the branches' hidden layers. Default 1024. */
  deformFcChannels?: number;
}

type Shape = (number | null)[];

export class DeformRoIPool extends layers.Layer {
  static className = 'DeformRoIPool';
  readonly outputSize: [number, number];
  readonly spatialScale: number;
  readonly samplingRatio: number;
  readonly gamma: number;
  readonly offsetBranch: boolean;
  readonly modulated: boolean;
  readonly deformFcChannels: number;
  private readonly weightsByName = new Map<string, LayerVariable>();

  constructor(args: DeformRoIPoolLayerArgs) {
    super(args);
    this.outputSize = pair('DeformRoIPool', 'outputSize', args.outputSize);
    this.spatialScale = args.spatialScale ?? 1;
    this.samplingRatio = args.samplingRatio ?? 0;
    this.gamma = args.gamma ?? 0.1;
    this.offsetBranch = args.offsetBranch ?? true;
    this.modulated = args.modulated ?? false;
    if (this.modulated && !this.offsetBranch) {
      throw new Error('DeformRoIPool: modulated needs the offset branch (offsetBranch: true)');
    }
    this.deformFcChannels = args.deformFcChannels ?? 1024;
  }

  override build(inputShape: Shape | Shape[]): void {
    const [features] = inputShape as Shape[];
    const channels = features?.[3];
    if (channels == null) {
      throw new Error('DeformRoIPool: expects [features [N, H, W, C], rois [R, 5]] with C known');
    }
    if (this.offsetBranch) {
      const bins = this.outputSize[0] * this.outputSize[1];
      const width = this.deformFcChannels;
      const init = (name: string, config = {}) =>
        resolveKeras<Initializer>('DeformRoIPool', 'initializer', {className: name, config})!;
      // PyTorch's default Linear init, U(±1/sqrt(fan_in)); the last layers start at zero.
      const linear = (fanIn: number) =>
        init('RandomUniform', {minval: -1 / Math.sqrt(fanIn), maxval: 1 / Math.sqrt(fanIn)});
      const dense = (name: string, fanIn: number, units: number, zero = false) => {
        const initializer = zero ? init('Zeros') : linear(fanIn);
        this.weightsByName.set(
          `${name}_kernel`,
          this.addWeight(`${name}_kernel`, [fanIn, units], 'float32', initializer),
        );
        this.weightsByName.set(
          `${name}_bias`,
          this.addWeight(`${name}_bias`, [units], 'float32', initializer),
        );
      };
      dense('offset_fc0', bins * channels, width);
      dense('offset_fc1', width, width);
      dense('offset_fc2', width, 2 * bins, true);
      if (this.modulated) {
        dense('mask_fc0', bins * channels, width);
        dense('mask_fc1', width, bins, true);
      }
    }
    this.built = true;
  }

  private dense(name: string, x: Tensor): Tensor {
    return denseLastAxis(
      x,
      this.weightsByName.get(`${name}_kernel`)!.read(),
      this.weightsByName.get(`${name}_bias`)!.read(),
    );
  }

  override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
    return tidy(() => {
      const [x, rois] = inputs as [Tensor4D, Tensor2D];
      const {offset, mask} = this.offsetsAndMask(x, rois);
      if (mask != null) {
        return modulatedDeformRoiPool({x, rois, offset: offset!, mask, ...this.poolArgs});
      }
      return deformRoiPool({x, rois, offset, ...this.poolArgs});
    });
  }

  private get poolArgs() {
    return {
      outputSize: this.outputSize,
      spatialScale: this.spatialScale,
      samplingRatio: this.samplingRatio,
      gamma: this.gamma,
    };
  }

  /**
   * What the branches compute for these RoIs (a built layer): `offset`
   * `[R, PH, PW, 2]` ((Δx, Δy), in units of `gamma` times the RoI size) and,
   * when modulated, `mask` `[R, PH, PW, 1]`; neither without the offset branch.
   */
  offsetsAndMask(x: Tensor4D, rois: Tensor2D): {offset?: Tensor4D; mask?: Tensor4D} {
    if (!this.offsetBranch) {
      return {};
    }
    return tidy(() => {
      const plain = deformRoiPool({x, rois, ...this.poolArgs});
      const [r, ph, pw] = plain.shape;
      const flat = reshape(plain, [r, -1]);
      const hidden = relu(this.dense('offset_fc1', relu(this.dense('offset_fc0', flat))));
      const offset = reshape(this.dense('offset_fc2', hidden), [r, ph, pw, 2]) as Tensor4D;
      if (!this.modulated) {
        return {offset};
      }
      const logits = this.dense('mask_fc1', relu(this.dense('mask_fc0', flat)));
      return {offset, mask: reshape(sigmoid(logits), [r, ph, pw, 1]) as Tensor4D};
    });
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [features, rois] = inputShape as Shape[];
    return [rois[0], ...this.outputSize, features[3]];
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      outputSize: this.outputSize,
      spatialScale: this.spatialScale,
      samplingRatio: this.samplingRatio,
      gamma: this.gamma,
      offsetBranch: this.offsetBranch,
      modulated: this.modulated,
      deformFcChannels: this.deformFcChannels,
    };
  }
}
serialization.registerClass(DeformRoIPool);

export function deformRoiPoolLayer(args: DeformRoIPoolLayerArgs): DeformRoIPool {
  return new DeformRoIPool(args);
}
