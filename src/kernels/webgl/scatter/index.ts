/**
 * The input gradients of the sampling ops on webgl, whatever the op: a
 * scatter of weighted bilinear samples. The op describes its samples
 * (`*_scatter.ts` beside its kernels: a {@link ScatterLayout} and the GLSL of
 * where each sample lands and what it adds); this module runs the geometry
 * and values programs (geometry_gpu.ts, values_gpu.ts) and the blending draw
 * (blend.ts), chunk by chunk, or, where float targets cannot blend, the
 * op's reference loop on the cpu (cpu_fallback.ts).
 */
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';
import {env, TensorInfo, util} from '@tensorflow/tfjs-core';

import {runBackendKernel} from '../../kernel_util';
import {addAndDispose, runProgram} from '../program_util';
import {blendableFormat, ScatterLayout, scatterByBlending} from './blend';
import {addOnCpu} from './cpu_fallback';
import {ScatterGeometryProgram, ScatterSource} from './geometry_gpu';
import {ScatterValuesProgram} from './values_gpu';

export type {ScatterLayout} from './blend';
export type {ScatterSource} from './geometry_gpu';

/** Where a sample lands, and what it adds, for one op. */
export interface ScatterSources {
  geometry: ScatterSource;
  values: ScatterSource;
  /** The inputs, in the order of each source's `variableNames`. */
  geometryInputs: TensorInfo[];
  valuesInputs: TensorInfo[];
}

/** One op's input-gradient scatter over rows `[rowStart, rowStart + rowCount)`. */
export interface InputGradientScatter {
  /** The gradient's shape `[N, H, W, C]`. */
  shape: number[];
  rowStart: number;
  rowCount: number;
  /** The blending path's description (made only when the GPU can blend). */
  onGpu(): {
    layout: ScatterLayout;
    sources: ScatterSources;
    /** The layout's image is the gradient's channel planes `[C, N, H, W]` (else `[N, H, W, C]`). */
    channelPlanes?: boolean;
  };
  /** The fallback: the op's reference loop on the downloaded `inputs`, adding the rows into `dx`. */
  onCpu: {inputs: TensorInfo[]; add(values: Float32Array[], dx: Float32Array): void};
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

/** The rows of one chunk, blended into a new tensor shaped as the layout's image. */
function blendChunk(
  backend: MathBackendWebGL,
  layout: ScatterLayout,
  format: number,
  sources: ScatterSources,
  rowStart: number,
  rowCount: number,
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
  try {
    return scatterByBlending(backend, layout, format, {values, geometry, rowStart, rowCount});
  } finally {
    backend.disposeIntermediateTensorInfo(geometry);
    backend.disposeIntermediateTensorInfo(values);
  }
}

/** The blended rows, in chunks of at most {@link maxScatterRows}, as a new `[N, H, W, C]` tensor. */
function blendAll(
  backend: MathBackendWebGL,
  format: number,
  scatter: InputGradientScatter,
): TensorInfo {
  const {layout, sources, channelPlanes} = scatter.onGpu();
  const chunkRows = maxScatterRows(layout);
  const end = scatter.rowStart + scatter.rowCount;
  let sum: TensorInfo | null = null;
  for (let start = scatter.rowStart; start < end; start += chunkRows) {
    const part = blendChunk(
      backend,
      layout,
      format,
      sources,
      start,
      Math.min(chunkRows, end - start),
    );
    sum = sum == null ? part : addAndDispose(backend, sum, part);
  }
  const [n, h, w, c] = scatter.shape;
  const relabel = (kernelName: string, attrs: object) => {
    const result = runBackendKernel(backend, kernelName, {x: sum!}, {...attrs});
    backend.disposeIntermediateTensorInfo(sum!);
    return result;
  };
  if (channelPlanes) {
    sum = relabel('Reshape', {shape: [c, n, h, w]});
    return relabel('Transpose', {perm: [1, 2, 3, 0]});
  }
  return relabel('Reshape', {shape: scatter.shape});
}

/**
 * The op's rows scattered, added to `dx` (disposed) when given, else a new
 * zero-based gradient: by blending on the GPU, or by the op's reference loop
 * where float targets cannot blend (WebGL1, float32 without EXT_float_blend).
 */
export function scatterInputGradient(
  backend: MathBackendWebGL,
  scatter: InputGradientScatter,
  dx: TensorInfo | null = null,
): TensorInfo {
  if (scatter.rowCount === 0) {
    // Nothing scatters (no RoIs): the gradient so far, or zeros.
    return (
      dx ??
      backend.makeTensorInfo(
        scatter.shape,
        'float32',
        new Float32Array(util.sizeFromShape(scatter.shape)),
      )
    );
  }
  const format = blendableFormat(backend);
  if (format == null) {
    return addOnCpu(backend, scatter.shape, scatter.onCpu, dx);
  }
  const part = blendAll(backend, format, scatter);
  return dx == null ? part : addAndDispose(backend, dx, part);
}
