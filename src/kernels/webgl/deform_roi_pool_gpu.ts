/**
 * DeformRoIPool forward: one fragment per output entry `(r, ph, pw, c)`, the
 * average of sampler A over the bin's shifted grid, times the bin's mask
 * for the modulated variant.
 */
import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import type {RoIPoolInfo} from '../../shape/roi_pool';
import {roiBinGlsl, samplerAGlsl} from './roi_glsl';

export class DeformRoIPoolProgram implements GPGPUProgram {
  variableNames: string[];
  outputShape: number[];
  userCode: string;

  constructor(info: RoIPoolInfo, withMask: boolean) {
    this.variableNames = withMask ? ['x', 'rois', 'offset', 'mask'] : ['x', 'rois', 'offset'];
    this.outputShape = [info.rois, info.pooledHeight, info.pooledWidth, info.channels];
    this.userCode = `
      ${roiBinGlsl(info)}
      ${samplerAGlsl(info)}

      void main() {
        ivec4 coords = getOutputCoords();
        RoiBin b = roiBin(coords.x, coords.y, coords.z);
        float sum = 0.0;
        for (int ky = 0; ky < b.span.x; ky++) {
          for (int kx = 0; kx < b.span.y; kx++) {
            ClampedSample s = locateA(b.n, gridPoint(b, ky, kx));
            if (s.inside) {
              sum += clampedValue(s, clampedCorners(s, coords.w));
            }
          }
        }
        if (b.span.x > 0 && b.span.y > 0) {
          sum /= gridCount(b);
        }
        ${withMask ? 'sum *= getMask(coords.x, coords.y, coords.z, 0);' : ''}
        setOutput(sum);
      }
    `;
  }
}
