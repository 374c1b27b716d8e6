/**
 * DeformConv2D, ModulatedDeformConv2D and their backprops on the webgl
 * backend: the shared driver (../deform_conv_driver.ts: chunking, GEMMs
 * through the backend's BatchMatMul) over this backend's sampling passes,
 * deform_conv_sampling_webgl.ts (im2col and the offset/mask gradient as
 * fragment programs, the input gradient through the scatter module).
 */
import {deformConvKernelConfigs} from '../deform_conv_kernels';
import {webglSampling} from './deform_conv_sampling_webgl';

export const deformConv2DConfigs = deformConvKernelConfigs('webgl', webglSampling);
