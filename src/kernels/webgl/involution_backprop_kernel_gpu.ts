/**
 * Involution's kernel gradient: one fragment per entry `(n, oh, ow, g K + k)`,
 * the dot product over group `g`'s channels of `dy` and the pixel tap `k`
 * reads (0 for taps outside the input).
 */
import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import type {InvolutionInfo} from '../../shape/involution';
import {involutionTapGlsl} from './involution_glsl';

export class InvolutionBackpropKernelProgram implements GPGPUProgram {
  variableNames = ['x', 'dy'];
  outputShape: number[];
  userCode: string;

  constructor(info: InvolutionInfo) {
    const {taps, channelsPerGroup} = info;
    this.outputShape = [info.batchSize, info.outHeight, info.outWidth, info.groups * taps];
    this.userCode = `
      ${involutionTapGlsl(info)}

      void main() {
        ivec4 coords = getOutputCoords();
        ivec3 position = coords.xyz;
        int firstChannel = (coords.w / ${taps}) * ${channelsPerGroup};
        ivec2 pixel = tapPixel(position, imod(coords.w, ${taps}));
        float sum = 0.0;
        if (inImage(pixel)) {
          for (int i = 0; i < ${channelsPerGroup}; i++) {
            int c = firstChannel + i;
            sum += getDy(position.x, position.y, position.z, c) *
                getX(position.x, pixel.x, pixel.y, c);
          }
        }
        setOutput(sum);
      }
    `;
  }
}
