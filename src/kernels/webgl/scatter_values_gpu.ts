/**
 * Second half of the input-gradient scatter's inputs: the column gradient
 * times the mask, `[G, rowCount, K * C/G]`, as an unpacked float texture of
 * this program's own making, whatever the layout of `dCols` (often packed,
 * by the matmul) and `mask`: the drawing pass reads it with plain
 * texel fetches.
 */
import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import type {DeformConvInfo} from '../../ops/deform_conv_util';
import {columnChannelTapGlsl, outputPositionGlsl, ROW_START_UNIFORM} from './deform_glsl';

export class ScatterValuesProgram implements GPGPUProgram {
  variableNames: string[];
  outputShape: number[];
  customUniforms?: Array<typeof ROW_START_UNIFORM>;
  userCode: string;

  constructor(info: DeformConvInfo, rowCount: number, withMask: boolean) {
    this.variableNames = withMask ? ['dCols', 'mask'] : ['dCols'];
    this.outputShape = [
      info.groups, rowCount, info.kernelSize * info.inChannelsPerGroup
    ];
    if (withMask) {
      this.customUniforms = [ROW_START_UNIFORM];
    }
    const maskFactor = !withMask ? '' : `
        ivec3 position = outputPosition(rowStart + coords.y);
        value *= getMask(position.x, position.y, position.z,
                         columnChannelTap(coords.x, coords.z).y);`;
    this.userCode = `
      ${withMask ? outputPositionGlsl(info) + columnChannelTapGlsl(info) : ''}

      void main() {
        ivec3 coords = getOutputCoords();
        float value = getDCols(coords.x, coords.y, coords.z);
        ${maskFactor}
        setOutput(value);
      }
    `;
  }
}
