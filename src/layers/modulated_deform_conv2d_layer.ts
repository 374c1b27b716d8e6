import {serialization, Tensor, Tensor4D} from '@tensorflow/tfjs-core';

import {modulatedDeformConv2d} from '../ops/modulated_deform_conv2d';
import {DeformConvLayerArgs, DeformConvLayerBase} from './deform_conv_layer_base';

/**
 * Modulated deformable convolution layer (DCNv2), channels-last (mmcv's
 * `ModulatedDeformConv2dPack`): the offset branch produces `3 D kh kw`
 * channels; the first `2 D kh kw` are the offsets (interleaved Δy, Δx), the
 * sigmoid of the rest the mask. A new layer computes half a plain convolution.
 *
 * Weights, in order: `kernel`, `bias` (when `useBias`), `offset_kernel`
 * `[kh, kw, C, 3 D kh kw]`, `offset_bias` `[3 D kh kw]` (PyTorch:
 * `weight`, `bias`, `conv_offset.weight`, `conv_offset.bias`).
 */
export class ModulatedDeformConv2D extends DeformConvLayerBase {
  static className = 'ModulatedDeformConv2D';
  protected readonly channelsPerTap = 3;

  protected deform(
    x: Tensor4D,
    offset: Tensor4D,
    mask: Tensor4D | undefined,
    filter: Tensor4D,
    bias?: Tensor,
  ): Tensor4D {
    if (mask == null) {
      throw new Error(`ModulatedDeformConv2D ${this.name}: needs a mask`);
    }
    return modulatedDeformConv2d({x, filter, offset, mask, bias, ...this.opArgs});
  }
}
serialization.registerClass(ModulatedDeformConv2D);

export function modulatedDeformConv2dLayer(args: DeformConvLayerArgs): ModulatedDeformConv2D {
  return new ModulatedDeformConv2D(args);
}
