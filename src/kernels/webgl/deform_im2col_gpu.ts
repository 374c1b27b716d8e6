/**
 * Deformable im2col: one fragment per column entry `(q, r, j)` of
 * `[G, rowCount, K * C/G]`, the mask-weighted sampler-Z value of its tap.
 */
import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import type {DeformConvInfo} from '../../shape/deform_conv';
import {
  columnChannelTapGlsl,
  deformSampleGlsl,
  outputPositionGlsl,
  ROW_START_UNIFORM,
  samplerZGlsl,
} from './deform_glsl';

export class DeformIm2ColProgram implements GPGPUProgram {
  variableNames: string[];
  outputShape: number[];
  customUniforms = [ROW_START_UNIFORM];
  userCode: string;

  constructor(info: DeformConvInfo, rowCount: number, withMask: boolean) {
    this.variableNames = withMask ? ['x', 'offset', 'mask'] : ['x', 'offset'];
    this.outputShape = [info.groups, rowCount, info.taps * info.inChannelsPerGroup];
    this.userCode = `
      ${columnChannelTapGlsl(info)}
      ${outputPositionGlsl(info)}
      ${samplerZGlsl(info)}
      ${deformSampleGlsl(info)}

      void main() {
        ivec3 coords = getOutputCoords();
        ivec2 ct = columnChannelTap(coords.x, coords.z);
        ivec3 position = outputPosition(rowStart + coords.y);
        ZSample s = deformSample(position, ct.y);
        float value = 0.0;
        if (s.inside) {
          value = zValue(s, zCorners(s, ct.x))${
            withMask ? ' * getMask(position.x, position.y, position.z, ct.y)' : ''
          };
        }
        setOutput(value);
      }
    `;
  }
}
