/**
 * Involution's input gradient as a gather (taps sit on integer positions):
 * one fragment per input entry `(n, y, x, c)`, summing over the taps the
 * output position that tap reads this pixel from, where the strides allow
 * one, its kernel weight times `dy`.
 */
import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import type {InvolutionInfo} from '../../shape/involution';

export class InvolutionBackpropXProgram implements GPGPUProgram {
  variableNames = ['kernel', 'dy'];
  outputShape: number[];
  userCode: string;

  constructor(info: InvolutionInfo) {
    const {taps, filterWidth} = info;
    this.outputShape = [info.batchSize, info.inHeight, info.inWidth, info.inChannels];
    this.userCode = `
      void main() {
        ivec4 coords = getOutputCoords();
        int n = coords.x;
        int c = coords.w;
        int firstTap = (c / ${info.channelsPerGroup}) * ${taps};
        float sum = 0.0;
        for (int k = 0; k < ${taps}; k++) {
          // Tested non-negative before dividing: GLSL's integer division of
          // negatives is undefined.
          int rows = coords.y + ${info.padTop} - (k / ${filterWidth}) * ${info.dilationHeight};
          int cols = coords.z + ${info.padLeft} - imod(k, ${filterWidth}) * ${info.dilationWidth};
          if (rows < 0 || cols < 0 || imod(rows, ${info.strideHeight}) != 0 ||
              imod(cols, ${info.strideWidth}) != 0) {
            continue;
          }
          int oh = rows / ${info.strideHeight};
          int ow = cols / ${info.strideWidth};
          if (oh < ${info.outHeight} && ow < ${info.outWidth}) {
            sum += getKernel(n, oh, ow, firstTap + k) * getDy(n, oh, ow, c);
          }
        }
        setOutput(sum);
      }
    `;
  }
}
