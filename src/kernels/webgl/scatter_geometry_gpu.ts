/**
 * First half of the input-gradient scatter: where every sample of the chunk
 * lands, `[rowCount, D K, 4]` = (floor y, floor x, y - floor y, x - floor x),
 * (-2, -2, 0, 0) for samples outside the window (all four corners then fall
 * outside the input). Read by the drawing pass in col2im_blend.ts.
 */
import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import type {DeformConvInfo} from '../../ops/deform_conv_util';
import {deformSampleGlsl, ROW_START_UNIFORM} from './deform_glsl';

export class ScatterGeometryProgram implements GPGPUProgram {
  variableNames = ['offset'];
  outputShape: number[];
  customUniforms = [ROW_START_UNIFORM];
  userCode: string;

  constructor(info: DeformConvInfo, rowCount: number) {
    this.outputShape = [rowCount, info.offsetGroups * info.kernelSize, 4];
    this.userCode = `
      ${deformSampleGlsl(info)}

      void main() {
        ivec3 coords = getOutputCoords();
        DeformSample s = deformSample(rowStart + coords.x, coords.y);
        int i = coords.z;
        setOutput(i == 0 ? float(s.origin.x) : i == 1 ? float(s.origin.y) :
                  i == 2 ? s.frac.x : s.frac.y);
      }
    `;
  }
}
