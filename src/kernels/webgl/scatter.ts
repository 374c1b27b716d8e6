/**
 * One chunk of an input-gradient scatter, whatever the op: the op's
 * geometry and values programs (scatter_*_gpu.ts, from its GLSL sources),
 * then the blending draw (col2im_blend.ts).
 */
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import {env, TensorInfo} from '@tensorflow/tfjs-core';

import {ScatterLayout, scatterByBlending} from './col2im_blend';
import {addAndDispose, runProgram} from './program_util';
import {ScatterGeometryProgram, ScatterSource} from './scatter_geometry_gpu';
import {ScatterValuesProgram} from './scatter_values_gpu';

/** Where a sample lands, and what it adds, for one op. */
export interface ScatterSources {
  geometry: ScatterSource;
  values: ScatterSource;
  /** The inputs, in the order of each source's `variableNames`. */
  geometryInputs: TensorInfo[];
  valuesInputs: TensorInfo[];
}

/**
 * Scatter geometry values per chunk: the scatter draws 3 vertices per value
 * (a triangle per sample and corner) and `gl_VertexID` is an int32.
 */
const MAX_SCATTER_GEOMETRY = 2 ** 26;

/**
 * The most rows a chunk may have: a logical shape of up to maxSize²
 * elements always squarifies into one texture.
 */
export function maxScatterRows(layout: ScatterLayout): number {
  const maxSize = env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
  const geometry = 4 * layout.samplesPerRow;
  const values = (layout.samplesPerRow / layout.samplesPerValue) * layout.run;
  return Math.max(
    1,
    Math.floor(
      Math.min((maxSize * maxSize) / Math.max(geometry, values), MAX_SCATTER_GEOMETRY / geometry),
    ),
  );
}

/**
 * Rows `[rowStart, rowStart + rowCount)` scattered, added to `dx` (disposed)
 * when given. `format` is from `blendableFormat`.
 */
export function scatterChunk(
  backend: MathBackendWebGL,
  layout: ScatterLayout,
  format: number,
  sources: ScatterSources,
  rowStart: number,
  rowCount: number,
  dx: TensorInfo | null,
): TensorInfo {
  const geometry = runProgram(
    backend,
    new ScatterGeometryProgram(rowCount, layout, sources.geometry),
    sources.geometryInputs,
    rowStart,
  );
  const values = runProgram(
    backend,
    new ScatterValuesProgram(rowCount, layout, sources.values),
    sources.valuesInputs,
    rowStart,
  );
  let part: TensorInfo;
  try {
    part = scatterByBlending(backend, layout, format, {values, geometry, rowStart, rowCount});
  } finally {
    backend.disposeIntermediateTensorInfo(geometry);
    backend.disposeIntermediateTensorInfo(values);
  }
  return dx == null ? part : addAndDispose(backend, dx, part);
}

/** The whole scatter of `rows` rows, in chunks of at most {@link maxScatterRows}. */
export function scatterAll(
  backend: MathBackendWebGL,
  layout: ScatterLayout,
  format: number,
  sources: ScatterSources,
  rows: number,
): TensorInfo {
  const chunkRows = maxScatterRows(layout);
  let dx: TensorInfo | null = null;
  for (let rowStart = 0; rowStart < rows; rowStart += chunkRows) {
    dx = scatterChunk(
      backend,
      layout,
      format,
      sources,
      rowStart,
      Math.min(chunkRows, rows - rowStart),
      dx,
    );
  }
  return dx!;
}
