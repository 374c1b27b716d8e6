import {ModulatedDeformRoIPool} from '../../kernel_names';
import {typedKernelConfig} from '../kernel_util';
import {deformRoiPoolWasm} from './DeformRoIPool';

export const modulatedDeformRoIPoolConfig = typedKernelConfig(
  ModulatedDeformRoIPool,
  'wasm',
  deformRoiPoolWasm,
);
