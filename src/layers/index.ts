/**
 * Keras-style layers, channels-last, registered for serialization (so
 * `tf.loadLayersModel` finds them once this package is imported). Factories
 * in the style of `tf.layers.conv2d`: `tfdeform.layers.deformConv2d({...})`.
 */
export {DeformConv2D, deformConv2dLayer as deformConv2d} from './deform_conv2d_layer';
export {DCNv3, dcnv3Layer as dcnv3} from './dcnv3_layer';
export type {DCNv3LayerArgs} from './dcnv3_layer';
export type {DeformConvLayerArgs, LayerPadding} from './deform_conv_layer_base';
export {DeformRoIPool, deformRoiPoolLayer as deformRoiPool} from './deform_roi_pool_layer';
export type {DeformRoIPoolLayerArgs} from './deform_roi_pool_layer';
export {Involution, involutionLayer as involution} from './involution_layer';
export type {InvolutionLayerArgs} from './involution_layer';
export {
  ModulatedDeformConv2D,
  modulatedDeformConv2dLayer as modulatedDeformConv2d,
} from './modulated_deform_conv2d_layer';
