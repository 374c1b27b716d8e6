/**
 * Second half of an input-gradient scatter's inputs (blend.ts): what
 * each sample adds to each channel of its run, before the bilinear corner
 * weights, `[rowCount, samplesPerRow / samplesPerValue, run]` (samples
 * adding the same values share an entry), as an unpacked float texture of
 * this program's own making, whatever the layout of the op's inputs (often
 * packed): the drawing pass reads it with plain texel fetches. The op
 * supplies the GLSL `float scatterValue(int r, int v, int i)` (chunk row,
 * value index `t / samplesPerValue` of sample `t`, channel of the run) and
 * the inputs it reads.
 */
import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import type {ScatterLayout} from './blend';
import {ROW_START_UNIFORM} from '../deform_glsl';
import type {ScatterSource} from './geometry_gpu';

export class ScatterValuesProgram implements GPGPUProgram {
  variableNames: string[];
  outputShape: number[];
  customUniforms?: Array<typeof ROW_START_UNIFORM>;
  userCode: string;

  constructor(rowCount: number, layout: ScatterLayout, source: ScatterSource) {
    this.variableNames = source.variableNames;
    this.outputShape = [rowCount, layout.samplesPerRow / layout.samplesPerValue, layout.run];
    if (source.usesRowStart) {
      this.customUniforms = [ROW_START_UNIFORM];
    }
    this.userCode = `
      ${source.glsl}

      void main() {
        ivec3 coords = getOutputCoords();
        setOutput(scatterValue(coords.x, coords.y, coords.z));
      }
    `;
  }
}
