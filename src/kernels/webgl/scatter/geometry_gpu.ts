/**
 * First half of an input-gradient scatter (blend.ts): where every
 * sample of the chunk lands, `[rowCount, samplesPerRow, 4]` = (floor y,
 * floor x, y - floor y, x - floor x), (-2, -2, 0, 0) for samples that add
 * nothing (all four corners then fall outside the input). The op supplies
 * the GLSL `vec4 scatterGeometry(int r, int t)` and the inputs it reads.
 */
import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import type {ScatterLayout} from './blend';
import {ROW_START_UNIFORM} from '../deform_glsl';

/**
 * The op-specific part of a scatter program: its inputs and a GLSL function
 * of the chunk's row `r` and the sample `t`, which adds the custom uniform
 * `rowStart` (the chunk's first row) to read inputs that are not chunked.
 */
export interface ScatterSource {
  variableNames: string[];
  glsl: string;
  /** Whether `glsl` reads `rowStart`: an unused uniform is compiled away, and tfjs may then refuse it. */
  usesRowStart: boolean;
}

export class ScatterGeometryProgram implements GPGPUProgram {
  variableNames: string[];
  outputShape: number[];
  customUniforms?: Array<typeof ROW_START_UNIFORM>;
  userCode: string;

  constructor(rowCount: number, layout: ScatterLayout, source: ScatterSource) {
    this.variableNames = source.variableNames;
    if (source.usesRowStart) {
      this.customUniforms = [ROW_START_UNIFORM];
    }
    this.outputShape = [rowCount, layout.samplesPerRow, 4];
    this.userCode = `
      ${source.glsl}

      void main() {
        ivec3 coords = getOutputCoords();
        vec4 geometry = scatterGeometry(coords.x, coords.y);
        int i = coords.z;
        setOutput(i == 0 ? geometry.x : i == 1 ? geometry.y :
                  i == 2 ? geometry.z : geometry.w);
      }
    `;
  }
}
