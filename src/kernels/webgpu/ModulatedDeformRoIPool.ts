import {ModulatedDeformRoIPool} from '../../kernel_names';
import {typedKernelConfig} from '../kernel_util';
import {deformRoiPoolWebgpu} from './DeformRoIPool';

export const modulatedDeformRoIPoolConfig = typedKernelConfig(
  ModulatedDeformRoIPool,
  'webgpu',
  deformRoiPoolWebgpu,
);
