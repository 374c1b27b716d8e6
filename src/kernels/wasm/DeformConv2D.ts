/**
 * DeformConv2D, ModulatedDeformConv2D and their backprops on the wasm
 * backend: the shared driver (../deform_conv_driver.ts: chunking, GEMMs)
 * over this backend's sampling passes, which are deform_conv_sampling_wasm.ts
 * (our wasm module's im2col, col2im and coordGrad, assembly/deform_conv.ts,
 * and its GEMM on our threads, wasm_matmul.ts).
 */
import {deformConvKernelConfigs} from '../deform_conv_kernels';
import {wasmSampling} from './deform_conv_sampling_wasm';

export const deformConv2DConfigs = deformConvKernelConfigs('wasm', wasmSampling);
