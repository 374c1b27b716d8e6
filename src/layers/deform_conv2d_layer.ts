import {serialization, Tensor, Tensor4D} from '@tensorflow/tfjs-core';

import {deformConv2d} from '../ops/deform_conv2d';
import {DeformConvLayerArgs, DeformConvLayerBase} from './deform_conv_layer_base';

/**
 * Deformable convolution layer (DCNv1), channels-last, like
 * `tf.layers.conv2d` plus its own offset branch (mmcv's `DeformConv2dPack`).
 *
 * Weights, in order: `kernel` `[kh, kw, C/groups, filters]`, `bias`
 * `[filters]` (when `useBias`), `offset_kernel` `[kh, kw, C, 2 D kh kw]`,
 * `offset_bias` `[2 D kh kw]`. From a PyTorch `state_dict`: transpose
 * `weight` and `conv_offset.weight` with `[2, 3, 1, 0]`; biases as they are.
 */
export class DeformConv2D extends DeformConvLayerBase {
  static className = 'DeformConv2D';
  protected readonly channelsPerTap = 2;

  protected deform(
    x: Tensor4D,
    offset: Tensor4D,
    _mask: Tensor4D | undefined,
    filter: Tensor4D,
    bias?: Tensor,
  ): Tensor4D {
    return deformConv2d({x, filter, offset, bias, ...this.opArgs});
  }
}
serialization.registerClass(DeformConv2D);

export function deformConv2dLayer(args: DeformConvLayerArgs): DeformConv2D {
  return new DeformConv2D(args);
}
