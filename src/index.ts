/**
 * tfjs-deform: deformable and dynamic-sampling convolutions for TensorFlow.js.
 * Importing this module registers every kernel and gradient it has.
 */
import {registerAll} from './register';

registerAll();

export {COLUMN_BUFFER_BYTES} from './flags';
export * from './kernel_names';
export {deformConv2d} from './ops/deform_conv2d';
export type {DeformConv2dArgs} from './ops/deform_conv2d';
export {modulatedDeformConv2d} from './ops/modulated_deform_conv2d';
export type {ModulatedDeformConv2dArgs} from './ops/modulated_deform_conv2d';
export type {PadArg} from './ops/deform_conv_util';
export {version} from './version';
