/**
 * LayerNorm over the channel (last) axis, as PyTorch's nn.LayerNorm(C) on
 * channels-last tensors. tfjs's layers.layerNormalization tiles its
 * statistics and parameters to the input's full size first, which took 65 %
 * of InternImage-T's forward on wasm; this one broadcasts them.
 */
import {serialization, Tensor, tidy} from '@tensorflow/tfjs-core';
import {initializers, layers, LayerVariable} from '@tensorflow/tfjs-layers';
import type {LayerArgs} from '@tensorflow/tfjs-layers/dist/engine/topology';

import {layerNorm} from '../layers/layer_util';

export interface ChannelLayerNormArgs extends LayerArgs {
  epsilon: number;
}

export class ChannelLayerNorm extends layers.Layer {
  static className = 'ChannelLayerNorm';
  readonly epsilon: number;
  private gamma?: LayerVariable;
  private beta?: LayerVariable;

  constructor(args: ChannelLayerNormArgs) {
    super(args);
    this.epsilon = args.epsilon;
  }

  override build(inputShape: (number | null)[] | (number | null)[][]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const channels = shape[shape.length - 1] as number;
    this.gamma = this.addWeight('gamma', [channels], 'float32', initializers.ones());
    this.beta = this.addWeight('beta', [channels], 'float32', initializers.zeros());
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() =>
      layerNorm(
        Array.isArray(inputs) ? inputs[0] : inputs,
        this.gamma!.read(),
        this.beta!.read(),
        this.epsilon,
      ),
    );
  }

  override getConfig(): serialization.ConfigDict {
    return {...super.getConfig(), epsilon: this.epsilon};
  }
}
serialization.registerClass(ChannelLayerNorm);
