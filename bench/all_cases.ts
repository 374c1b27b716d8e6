/** Every op's benchmark on the active backend, in Node or the browser. */
import {benchDeformConv2d} from './dcn_cases';
import {benchDcnv3} from './dcnv3_cases';
import {benchInvolution} from './involution_cases';
import {benchModels} from './model_cases';
import {benchDeformRoiPool} from './roi_pool_cases';
import type {Row} from './timing';

export const OP_BENCHES: Record<string, (note: string) => Promise<Row[]>> = {
  deformConv2d: benchDeformConv2d,
  dcnv3: benchDcnv3,
  involution: benchInvolution,
  deformRoiPool: benchDeformRoiPool,
  models: benchModels,
};
