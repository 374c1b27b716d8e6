/**
 * DeformConv2D, ModulatedDeformConv2D and their backprops on the webgpu
 * backend: the shared driver (../deform_conv_driver.ts: chunking, GEMMs
 * through the backend's BatchMatMul) over this backend's sampling passes,
 * deform_conv_sampling_webgpu.ts.
 */
import {deformConvKernelConfigs} from '../deform_conv_kernels';
import {webgpuSampling} from './deform_conv_sampling_webgpu';

export const deformConv2DConfigs = deformConvKernelConfigs('webgpu', webgpuSampling);
