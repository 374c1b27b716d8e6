/**
 * DeformPSRoIPool's offset gradient (a gather): one fragment per entry
 * `(r, cellH, cellW, 2 cls + axis)` of `offset`, summing over the bins of
 * that part cell, the output channels of class `cls` and their accepted
 * samples `dy / count` times sampler P's derivative, times `transStd` and
 * the RoI's extent on that axis.
 */
import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import type {PSRoIPoolInfo} from '../../shape/roi_pool';
import {glslFloat} from './deform_glsl';
import {psBinGlsl, samplerPGlsl} from './ps_roi_glsl';

export class DeformPSRoIPoolOffsetGradProgram implements GPGPUProgram {
  variableNames = ['x', 'rois', 'offset', 'dy'];
  outputShape: number[];
  userCode: string;

  constructor(info: PSRoIPoolInfo) {
    const samples = info.samplesPerPart;
    const perClass = info.outputDim / info.classes;
    this.outputShape = [info.rois, info.partHeight, info.partWidth, 2 * info.classes];
    this.userCode = `
      ${psBinGlsl(info)}
      ${samplerPGlsl(info)}

      void main() {
        ivec4 coords = getOutputCoords();
        int r = coords.x;
        bool alongX = imod(coords.w, 2) == 0;
        int firstChannel = (coords.w / 2) * ${perClass};
        vec2 roiSize = psBin(r, 0, 0, 0).roiSize;
        float sum = 0.0;
        for (int ph = 0; ph < ${info.pooledHeight}; ph++) {
          for (int pw = 0; pw < ${info.pooledWidth}; pw++) {
            if (partCell(ph, pw) != coords.yz) {
              continue;
            }
            for (int k = 0; k < ${perClass}; k++) {
              int ct = firstChannel + k;
              PsBin b = psBin(r, ph, pw, ct);
              // The average's weight 1 / count is known after counting.
              int count = psSampleCount(b);
              if (count == 0) {
                continue;
              }
              float g = getDy(r, ph, pw, ct) / float(count);
              for (int ih = 0; ih < ${samples}; ih++) {
                for (int iw = 0; iw < ${samples}; iw++) {
                  ClampedSample s = locateP(b.n, psPoint(b, ih, iw));
                  if (s.inside) {
                    vec4 v = clampedCorners(s, b.channel);
                    sum += g * (alongX ? pGradX(s, v) : pGradY(s, v));
                  }
                }
              }
            }
          }
        }
        // No accepted sample: 0, also for a non-finite RoI (not inf * 0).
        setOutput(sum == 0.0 ? 0.0 :
                  ${glslFloat(info.transStd)} * (alongX ? roiSize.y : roiSize.x) * sum);
      }
    `;
  }
}
