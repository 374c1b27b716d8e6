/**
 * DeformPSRoIPool forward: one fragment per output entry `(r, ph, pw, ct)`,
 * the average of sampler P over the accepted samples of its input channel
 * (0 when none is).
 */
import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import type {PSRoIPoolInfo} from '../../shape/roi_pool';
import {psBinGlsl, samplerPGlsl} from './ps_roi_glsl';

export class DeformPSRoIPoolProgram implements GPGPUProgram {
  variableNames = ['x', 'rois', 'offset'];
  outputShape: number[];
  userCode: string;

  constructor(info: PSRoIPoolInfo) {
    const samples = info.samplesPerPart;
    this.outputShape = [info.rois, info.pooledHeight, info.pooledWidth, info.outputDim];
    this.userCode = `
      ${psBinGlsl(info)}
      ${samplerPGlsl(info)}

      void main() {
        ivec4 coords = getOutputCoords();
        PsBin b = psBin(coords.x, coords.y, coords.z, coords.w);
        float sum = 0.0;
        int count = 0;
        for (int ih = 0; ih < ${samples}; ih++) {
          for (int iw = 0; iw < ${samples}; iw++) {
            ClampedSample s = locateP(b.n, psPoint(b, ih, iw));
            if (s.inside) {
              sum += clampedValue(s, clampedCorners(s, b.channel));
              count++;
            }
          }
        }
        setOutput(count > 0 ? sum / float(count) : 0.0);
      }
    `;
  }
}
