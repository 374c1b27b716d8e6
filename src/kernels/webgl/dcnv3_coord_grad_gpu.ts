/**
 * DCNv3's offset or mask gradient (a gather): one fragment per entry of
 * `offset` (`[N, Ho, Wo, G P 2]`, (Δx, Δy) pairs) or `mask`
 * (`[N, Ho, Wo, G P]`), summing over its group's channels `dy` times
 * sampler Z's position derivative (times offsetScale and the mask) or value.
 */
import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import type {DCNv3Info} from '../../shape/dcnv3';
import {dcnv3SampleGlsl} from './dcnv3_glsl';
import {glslFloat, samplerZGlsl} from './deform_glsl';

export class DCNv3CoordGradProgram implements GPGPUProgram {
  variableNames = ['x', 'offset', 'mask', 'dy'];
  outputShape: number[];
  userCode: string;

  constructor(info: DCNv3Info, target: 'offset' | 'mask') {
    const ofOffset = target === 'offset';
    const points = info.groups * info.points;
    this.outputShape = [
      info.batchSize,
      info.outHeight,
      info.outWidth,
      ofOffset ? 2 * points : points,
    ];
    const term = !ofOffset ? 'zValue(s, v)' : '(axis == 0 ? zGradX(s, v) : zGradY(s, v))';
    const factor = !ofOffset
      ? ''
      : `sum *= ${glslFloat(info.offsetScale)} * getMask(position.x, position.y, position.z, t);`;
    this.userCode = `
      ${samplerZGlsl(info)}
      ${dcnv3SampleGlsl(info)}

      void main() {
        ivec4 coords = getOutputCoords();
        ivec3 position = coords.xyz;
        int t = ${ofOffset ? 'coords.w / 2' : 'coords.w'};
        int axis = imod(coords.w, 2);
        int firstChannel = (t / ${info.points}) * ${info.channelsPerGroup};
        ZSample s = dcnv3Sample(position, t);
        float sum = 0.0;
        if (s.inside) {
          for (int i = 0; i < ${info.channelsPerGroup}; i++) {
            int c = firstChannel + i;
            vec4 v = zCorners(s, c);
            sum += getDy(position.x, position.y, position.z, c) * ${term};
          }
          ${factor}
        }
        setOutput(sum);
      }
    `;
  }
}
