/**
 * InternImage's layer scale: a learnable per-channel factor (`gamma1`,
 * `gamma2` of its blocks) on the residual branch, initialised to a constant.
 */
import {mul, serialization, Tensor, tidy} from '@tensorflow/tfjs-core';
import {initializers, layers, LayerVariable} from '@tensorflow/tfjs-layers';
import type {LayerArgs} from '@tensorflow/tfjs-layers/dist/engine/topology';

export interface LayerScaleArgs extends LayerArgs {
  /** The initial factor. */
  initialValue: number;
}

export class LayerScale extends layers.Layer {
  static className = 'LayerScale';
  readonly initialValue: number;
  private gamma?: LayerVariable;

  constructor(args: LayerScaleArgs) {
    super(args);
    this.initialValue = args.initialValue;
  }

  override build(inputShape: (number | null)[] | (number | null)[][]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const channels = shape[shape.length - 1] as number;
    this.gamma = this.addWeight(
      'gamma',
      [channels],
      'float32',
      initializers.constant({value: this.initialValue}),
    );
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => mul(Array.isArray(inputs) ? inputs[0] : inputs, this.gamma!.read()));
  }

  override getConfig(): serialization.ConfigDict {
    return {...super.getConfig(), initialValue: this.initialValue};
  }
}
serialization.registerClass(LayerScale);
