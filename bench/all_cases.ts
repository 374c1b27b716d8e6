/** Every op's benchmark on the active backend, in Node or the browser. */
import {benchDeformConv2d} from './dcn_cases';
import {benchDcnv3} from './dcnv3_cases';
import {benchInvolution} from './involution_cases';
import {benchDeformRoiPool} from './roi_pool_cases';
import type {Row} from './timing';

export async function benchAllOps(note: string): Promise<Row[]> {
  return [
    ...await benchDeformConv2d(note),
    ...await benchDcnv3(note),
    ...await benchInvolution(note),
    ...await benchDeformRoiPool(note),
  ];
}
