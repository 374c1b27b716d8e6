import {ModulatedDeformRoIPool} from '../../kernel_names';
import {typedKernelConfig} from '../kernel_util';
import {deformRoiPoolCpu} from './DeformRoIPool';

export const modulatedDeformRoIPoolConfig = typedKernelConfig(
  ModulatedDeformRoIPool,
  'cpu',
  deformRoiPoolCpu,
);
