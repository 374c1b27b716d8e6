/**
 * DeformRoIPool's offset gradient (a gather): one fragment per entry
 * `(r, ph, pw, axis)` of `[R, ph, pw, 2]` ((Δx, Δy)), summing over the bin's
 * samples and channels `dy / count` times sampler A's (mmcv) derivative,
 * times `gamma` and the RoI's extent on that axis.
 */
import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import type {RoIPoolInfo} from '../../shape/roi_pool';
import {glslFloat} from './deform_glsl';
import {roiBinGlsl, samplerAGlsl} from './roi_glsl';

export class DeformRoIPoolOffsetGradProgram implements GPGPUProgram {
  variableNames = ['x', 'rois', 'offset', 'dy'];
  outputShape: number[];
  userCode: string;

  constructor(info: RoIPoolInfo) {
    this.outputShape = [info.rois, info.pooledHeight, info.pooledWidth, 2];
    this.userCode = `
      ${roiBinGlsl(info)}
      ${samplerAGlsl(info)}

      void main() {
        ivec4 coords = getOutputCoords();
        bool alongX = coords.w == 0;
        RoiBin b = roiBin(coords.x, coords.y, coords.z);
        float sum = 0.0;
        float count = gridCount(b);
        for (int ky = 0; ky < b.span.x; ky++) {
          for (int kx = 0; kx < b.span.y; kx++) {
            ClampedSample s = locateA(b.n, gridPoint(b, ky, kx));
            if (!s.inside) {
              continue;
            }
            for (int c = 0; c < ${info.channels}; c++) {
              vec4 v = clampedCorners(s, c);
              // The RoI-size factor per sample: 0 samples of a non-finite RoI give 0, not NaN.
              sum += getDy(coords.x, coords.y, coords.z, c) / count *
                  (alongX ? b.roiSize.y * aGradX(s, v) : b.roiSize.x * aGradY(s, v));
            }
          }
        }
        setOutput(${glslFloat(info.gamma)} * sum);
      }
    `;
  }
}
