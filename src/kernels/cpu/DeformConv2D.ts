/**
 * DeformConv2D, ModulatedDeformConv2D and their backprops on the cpu backend:
 * the shared driver (../deform_conv_driver.ts: chunking, GEMMs through the
 * backend's BatchMatMul) over this backend's sampling passes, which are
 * deform_conv_sampling_cpu.ts (the reference loops of ../reference/deform_sampling.ts).
 */
import {deformConvKernelConfigs} from '../deform_conv_kernels';
import {cpuSampling} from './deform_conv_sampling_cpu';

export const deformConv2DConfigs = deformConvKernelConfigs('cpu', cpuSampling);
