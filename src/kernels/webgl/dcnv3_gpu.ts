/**
 * DCNv3 forward: one fragment per output entry `(n, oh, ow, c)`, the
 * mask-weighted sum of sampler Z over its group's points.
 */
import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import type {DCNv3Info} from '../../shape/dcnv3';
import {dcnv3SampleGlsl} from './dcnv3_glsl';
import {samplerZGlsl} from './deform_glsl';

export class DCNv3Program implements GPGPUProgram {
  variableNames = ['x', 'offset', 'mask'];
  outputShape: number[];
  userCode: string;

  constructor(info: DCNv3Info) {
    this.outputShape = [info.batchSize, info.outHeight, info.outWidth, info.inChannels];
    this.userCode = `
      ${samplerZGlsl(info)}
      ${dcnv3SampleGlsl(info)}

      void main() {
        ivec4 coords = getOutputCoords();
        ivec3 position = coords.xyz;
        int c = coords.w;
        int firstPoint = (c / ${info.channelsPerGroup}) * ${info.points};
        float sum = 0.0;
        for (int p = 0; p < ${info.points}; p++) {
          ZSample s = dcnv3Sample(position, firstPoint + p);
          if (s.inside) {
            sum += getMask(position.x, position.y, position.z, firstPoint + p) *
                zValue(s, zCorners(s, c));
          }
        }
        setOutput(sum);
      }
    `;
  }
}
