/**
 * tfjs-deform: deformable and dynamic-sampling convolutions for TensorFlow.js.
 * Importing this module registers every kernel and gradient it has.
 */
import {registerAll} from './register';

registerAll();

export {COLUMN_BUFFER_BYTES, WASM_SPLIT_WORK, WASM_THREADS} from './flags';
export * as layers from './layers/index';
export * as models from './models/index';
export * as analysis from './analysis/index';
export * from './kernel_names';
export {dcnv3} from './ops/dcnv3';
export type {DCNv3Args} from './ops/dcnv3';
export {involution} from './ops/involution';
export type {InvolutionArgs} from './ops/involution';
export {deformPsRoiPool} from './ops/deform_ps_roi_pool';
export type {DeformPSRoIPoolArgs} from './ops/deform_ps_roi_pool';
export {deformRoiPool, modulatedDeformRoiPool} from './ops/deform_roi_pool';
export type {DeformRoIPoolArgs, ModulatedDeformRoIPoolArgs} from './ops/deform_roi_pool';
export {deformConv2d} from './ops/deform_conv2d';
export type {DeformConv2dArgs} from './ops/deform_conv2d';
export {modulatedDeformConv2d} from './ops/modulated_deform_conv2d';
export type {ModulatedDeformConv2dArgs} from './ops/modulated_deform_conv2d';
export type {PadArg} from './shape/window';
export {ready} from './kernels/wasm/index';
export {loadStateDict} from './pytorch/load_state_dict';
export {parseSafetensors} from './pytorch/safetensors';
export type {StateDict, StateTensor} from './pytorch/safetensors';
export {version} from './version';
