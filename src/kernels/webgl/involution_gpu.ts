/**
 * Involution forward: one fragment per output entry `(n, oh, ow, c)`, its
 * group's generated kernel applied to the window (zeros outside).
 */
import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import type {InvolutionInfo} from '../../shape/involution';
import {involutionTapGlsl} from './involution_glsl';

export class InvolutionProgram implements GPGPUProgram {
  variableNames = ['x', 'kernel'];
  outputShape: number[];
  userCode: string;

  constructor(info: InvolutionInfo) {
    const {taps} = info;
    this.outputShape = [info.batchSize, info.outHeight, info.outWidth, info.inChannels];
    this.userCode = `
      ${involutionTapGlsl(info)}

      void main() {
        ivec4 coords = getOutputCoords();
        ivec3 position = coords.xyz;
        int c = coords.w;
        int firstTap = (c / ${info.channelsPerGroup}) * ${taps};
        float sum = 0.0;
        for (int k = 0; k < ${taps}; k++) {
          ivec2 pixel = tapPixel(position, k);
          if (inImage(pixel)) {
            sum += getKernel(position.x, position.y, position.z, firstTap + k) *
                getX(position.x, pixel.x, pixel.y, c);
          }
        }
        setOutput(sum);
      }
    `;
  }
}
