import {op, Tensor3D, Tensor4D} from '@tensorflow/tfjs-core';

import {ModulatedDeformConv2D} from '../kernel_names';
import {DeformConvOpArgs, runDeformConv} from './run_deform_conv';

/** Arguments of {@link modulatedDeformConv2d}. */
export type ModulatedDeformConv2dArgs = DeformConvOpArgs & {mask: DeformConvOpArgs['x']};

/**
 * Modulated deformable convolution (DCNv2, Zhu et al. 2019), numerically
 * identical to torchvision `deform_conv2d` with a mask, mmcv
 * `modulated_deform_conv2d` and ONNX `DeformConv` with a mask.
 *
 * Everything as {@link deformConv2d}, plus
 * - `mask`: `[N, Ho, Wo, offsetGroups * kh * kw]`, channel
 *   `g * kh * kw + i * kw + j` multiplies the sample of tap `(i, j)` of offset
 *   group `g`. Used as given: mmcv's `ModulatedDeformConv2dPack` applies the
 *   sigmoid outside the op, and so does our layer.
 */
function modulatedDeformConv2d_(args: ModulatedDeformConv2dArgs): Tensor4D | Tensor3D {
  return runDeformConv('modulatedDeformConv2d', ModulatedDeformConv2D, args, true);
}

export const modulatedDeformConv2d = op({modulatedDeformConv2d_}) as {
  <R extends Tensor3D | Tensor4D = Tensor4D>(args: ModulatedDeformConv2dArgs): R;
};
