import {ModulatedDeformRoIPool} from '../../kernel_names';
import {typedKernelConfig} from '../kernel_util';
import {deformRoiPoolWebgl} from './DeformRoIPool';

export const modulatedDeformRoIPoolConfig = typedKernelConfig(
  ModulatedDeformRoIPool,
  'webgl',
  deformRoiPoolWebgl,
);
