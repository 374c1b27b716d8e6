/**
 * Offset or mask gradient (a gather): one fragment per output entry, summing
 * over the channels of its offset group the column gradient times sampler Z's
 * position derivative (offset: `[rowCount, 2 D K]`, Δy and Δx interleaved,
 * times the mask) or its value (mask: `[rowCount, D K]`).
 */
import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import type {DeformConvInfo} from '../../shape/deform_conv';
import {deformSampleGlsl, outputPositionGlsl, ROW_START_UNIFORM, samplerZGlsl} from './deform_glsl';

export type CoordGradTarget = 'offset' | 'mask';

export class DeformCoordGradProgram implements GPGPUProgram {
  variableNames: string[];
  outputShape: number[];
  customUniforms = [ROW_START_UNIFORM];
  userCode: string;

  constructor(info: DeformConvInfo, rowCount: number, withMask: boolean, target: CoordGradTarget) {
    this.variableNames = withMask ? ['dCols', 'x', 'offset', 'mask'] : ['dCols', 'x', 'offset'];
    const taps = info.offsetGroups * info.taps;
    const perOffsetGroup = info.inChannelsPerOffsetGroup;
    const perGroup = info.inChannelsPerGroup;
    const ofOffset = target === 'offset';
    this.outputShape = [rowCount, ofOffset ? 2 * taps : taps];
    const term = !ofOffset ? 'zValue(s, v)' : '(axis == 0 ? zGradY(s, v) : zGradX(s, v))';
    this.userCode = `
      ${outputPositionGlsl(info)}
      ${samplerZGlsl(info)}
      ${deformSampleGlsl(info)}

      void main() {
        ivec2 coords = getOutputCoords();
        int r = coords.x;
        int t = ${ofOffset ? 'coords.y / 2' : 'coords.y'};
        int axis = imod(coords.y, 2);
        int k = imod(t, ${info.taps});
        int firstChannel = (t / ${info.taps}) * ${perOffsetGroup};
        ivec3 position = outputPosition(rowStart + r);
        ZSample s = deformSample(position, t);
        float sum = 0.0;
        if (s.inside) {
          for (int i = 0; i < ${perOffsetGroup}; i++) {
            int c = firstChannel + i;
            int q = c / ${perGroup};
            vec4 v = zCorners(s, c);
            sum += getDCols(q, r, k * ${perGroup} + c - q * ${perGroup}) * ${term};
          }
          ${ofOffset && withMask ? 'sum *= getMask(position.x, position.y, position.z, t);' : ''}
        }
        setOutput(sum);
      }
    `;
  }
}
