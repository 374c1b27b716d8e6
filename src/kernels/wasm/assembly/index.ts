/**
 * Entry of tfjs-deform's wasm module (scripts/build_wasm.ts): every pass it
 * exports, listed by name (DEFORM_WASM_EXPORTS in ../deform_wasm_module.ts
 * is the JS side's list, checked against the built module by
 * test/specs/wasm_exports.spec.ts). Each takes its parameter block
 * (params.ts) and row range per call; none depends on an earlier call.
 */
export {paramWords} from './params';
export {packedPanelBytes, packPanels, rowTileBytes, gemm} from './gemm';
export {fillZero, im2col, col2im, coordGrad} from './deform_conv';
export {dcnv3ScratchBytes, dcnv3Forward, dcnv3Backward} from './dcnv3';
export {involutionForward, involutionBackpropKernel, involutionBackpropInput} from './involution';
export {depthwiseBackpropFilter, depthwiseBackpropInput} from './depthwise_conv';
export {deformRoiPoolForward, deformRoiPoolBackwardOffset, deformRoiPoolBackwardInput} from './deform_roi_pool';
export {
  deformPsRoiPoolForward,
  deformPsRoiPoolBackward,
  deformPsRoiPoolOffsetSum,
} from './deform_ps_roi_pool';
