/**
 * The deformable convolutions on any backend, given its sampling passes
 * (deform_conv_sampling.ts): deformable im2col into a bounded column buffer,
 * chunk by chunk over output positions, and the GEMMs through the backend's
 * own GEMM where it has one (`DeformConvSampling.matMul`), else its
 * registered BatchMatMul / _FusedMatMul kernels.
 *
 *   forward:        y      = cols · filter (+ bias)
 *   input grads:    dCols  = dy · filterᵀ, then dx = col2im(dCols),
 *                   (dOffset, dMask) = coordGrad(dCols) (one walk where the
 *                   backend fuses them, which may also give the columns)
 *   filter grad:    dFilter = Σ_chunks colsᵀ · dy (cols given, or sampled)
 *
 * Groups are a batch dimension of the GEMMs: columns `[G, rows, K C/G]`,
 * filter `[G, K C/G, Cout/G]`.
 */
import {KernelBackend, NamedAttrMap, NamedTensorInfoMap, TensorInfo} from '@tensorflow/tfjs-core';

import {maxColumnElements} from '../flags';
import {
  DeformConv2DAttrs,
  DeformConv2DBackpropFilter,
  DeformConv2DBackpropFilterAttrs,
  DeformConv2DBackpropInputAttrs,
} from '../kernel_names';
import {computeDeformConvInfo, DeformConvInfo} from '../shape/deform_conv';
import type {DeformConvSampling} from './deform_conv_sampling';
import {runBackendKernel} from './kernel_util';

/** Backend tensors created along the way, disposed together at the end. */
class Intermediates {
  private readonly tensors: TensorInfo[] = [];
  constructor(readonly backend: KernelBackend) {}

  /** Runs a registered kernel of the backend; its result is disposed with the others. */
  run(kernelName: string, inputs: NamedTensorInfoMap | TensorInfo[], attrs: NamedAttrMap = {}) {
    return this.add(runBackendKernel(this.backend, kernelName, inputs, attrs));
  }

  add(t: TensorInfo): TensorInfo {
    this.tensors.push(t);
    return t;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', {x}, {shape});
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', {x}, {perm});
  }

  dispose(): void {
    for (const t of this.tensors) {
      this.backend.disposeData(t.dataId);
    }
  }
}

function rowCount(info: DeformConvInfo): number {
  return info.batchSize * info.outHeight * info.outWidth;
}

/** Output positions per chunk: as many as the column budget holds, at least one. */
function chunkRows(
  backend: KernelBackend,
  sampling: DeformConvSampling,
  info: DeformConvInfo,
): number {
  const budget = Math.min(
    maxColumnElements(),
    sampling.maxColumnElements?.(backend, info) ?? Infinity,
  );
  return Math.max(1, Math.min(rowCount(info), Math.floor(budget / (info.taps * info.inChannels))));
}

/** Calls `fn(rowStart, rowCount)` over the output positions in chunks whose columns fit the budget. */
function forEachChunk(
  backend: KernelBackend,
  sampling: DeformConvSampling,
  info: DeformConvInfo,
  fn: (start: number, count: number) => void,
): void {
  const rows = rowCount(info);
  const chunk = chunkRows(backend, sampling, info);
  for (let start = 0; start < rows; start += chunk) {
    fn(start, Math.min(chunk, rows - start));
  }
}

/**
 * Batched `op(a) · op(b)` (+ `bias`, `[G * N]`): the backend's own GEMM when
 * it has one; else its BatchMatMul, or _FusedMatMul for a bias (one group
 * only: the caller adds a grouped bias itself).
 */
function batchMatMul(
  scope: Intermediates,
  sampling: DeformConvSampling,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  bias?: TensorInfo,
): TensorInfo {
  if (sampling.matMul != null) {
    return scope.add(sampling.matMul(scope.backend, a, b, transposeA, transposeB, bias));
  }
  return bias == null
    ? scope.run('BatchMatMul', {a, b}, {transposeA, transposeB})
    : scope.run('_FusedMatMul', {a, b, bias}, {transposeA, transposeB, activation: 'linear'});
}

/** `[kh, kw, C/G, Cout]` as `[G, K C/G, Cout/G]`. */
function groupedFilter(scope: Intermediates, info: DeformConvInfo, filter: TensorInfo): TensorInfo {
  const depth = info.taps * info.inChannelsPerGroup;
  if (info.groups === 1) {
    return scope.reshape(filter, [1, depth, info.outChannels]);
  }
  return scope.transpose(
    scope.reshape(filter, [depth, info.groups, info.outChannelsPerGroup]),
    [1, 0, 2],
  );
}

/** Rows `[count, Cout]` as `[G, count, Cout/G]`. */
function groupRows(
  scope: Intermediates,
  info: DeformConvInfo,
  rows: TensorInfo,
  count: number,
): TensorInfo {
  if (info.groups === 1) {
    return scope.reshape(rows, [1, count, info.outChannels]);
  }
  return scope.transpose(
    scope.reshape(rows, [count, info.groups, info.outChannelsPerGroup]),
    [1, 0, 2],
  );
}

/** `[G, count, Cout/G]` back to rows `[count, Cout]`. */
function ungroupRows(
  scope: Intermediates,
  info: DeformConvInfo,
  grouped: TensorInfo,
  count: number,
): TensorInfo {
  const rows = info.groups === 1 ? grouped : scope.transpose(grouped, [1, 0, 2]);
  return scope.reshape(rows, [count, info.outChannels]);
}

/** The chunk's rows of `dy` (`[N, Ho, Wo, Cout]`), grouped: `[G, count, Cout/G]`. */
function dyChunk(
  scope: Intermediates,
  info: DeformConvInfo,
  dy: TensorInfo,
  start: number,
  count: number,
): TensorInfo {
  const all = scope.reshape(dy, [rowCount(info), info.outChannels]);
  const rows =
    count === rowCount(info)
      ? all
      : scope.run('Slice', {x: all}, {begin: [start, 0], size: [count, info.outChannels]});
  return groupRows(scope, info, rows, count);
}

/** Joins per-chunk results along rows and gives them `shape`; the result is the caller's. */
function joinRows(scope: Intermediates, chunks: TensorInfo[], shape: number[]): TensorInfo {
  const joined = chunks.length === 1 ? chunks[0] : scope.run('Concat', chunks, {axis: 0});
  return runBackendKernel(scope.backend, 'Reshape', {x: joined}, {shape});
}

export interface DeformConvTensors {
  x: TensorInfo;
  offset: TensorInfo;
  mask?: TensorInfo;
}

export function deformConvForward(
  backend: KernelBackend,
  sampling: DeformConvSampling,
  {x, offset, mask, filter, bias}: DeformConvTensors & {filter: TensorInfo; bias?: TensorInfo},
  attrs: DeformConv2DAttrs,
): TensorInfo {
  const info = computeDeformConvInfo(x.shape, filter.shape, attrs);
  const scope = new Intermediates(backend);
  try {
    const weights = groupedFilter(scope, info, filter);
    // The bias rides on the matmul where it can; otherwise it is added after.
    const matMulBias = info.groups === 1 || sampling.matMul != null ? bias : undefined;
    const chunks: TensorInfo[] = [];
    forEachChunk(backend, sampling, info, (start, count) => {
      const cols = scope.add(sampling.im2col(backend, info, x, offset, mask ?? null, start, count));
      const product = batchMatMul(scope, sampling, cols, weights, false, false, matMulBias);
      const rows = ungroupRows(scope, info, product, count);
      chunks.push(bias != null && matMulBias == null ? scope.run('Add', {a: rows, b: bias}) : rows);
    });
    return joinRows(scope, chunks, [
      info.batchSize,
      info.outHeight,
      info.outWidth,
      info.outChannels,
    ]);
  } finally {
    scope.dispose();
  }
}

/** The chunk's input gradients: the backend's one walk, or its two passes (which give no columns). */
function inputGrads(
  backend: KernelBackend,
  sampling: DeformConvSampling,
  info: DeformConvInfo,
  dCols: TensorInfo,
  {x, offset, mask}: DeformConvTensors,
  start: number,
  count: number,
  dx: TensorInfo | null,
  withColumns: boolean,
): {dx: TensorInfo; coordGrads: TensorInfo[]; columns: TensorInfo | null} {
  const m = mask ?? null;
  if (sampling.fusedInputGrads != null) {
    return sampling.fusedInputGrads(
      backend,
      info,
      dCols,
      x,
      offset,
      m,
      start,
      count,
      dx,
      withColumns,
    );
  }
  return {
    dx: sampling.col2im(backend, info, dCols, offset, m, start, count, dx),
    coordGrads: sampling.coordGrad(backend, info, dCols, x, offset, m, start, count),
    columns: null,
  };
}

/**
 * `[dx, dOffset]`, plus `dMask` when `mask` is given, plus the columns when
 * `keepColumns` asks for them and the backend fuses them into its walk of
 * one chunk (kernel_names.ts).
 */
export function deformConvBackpropInput(
  backend: KernelBackend,
  sampling: DeformConvSampling,
  {x, offset, mask, filter, dy}: DeformConvTensors & {filter: TensorInfo; dy: TensorInfo},
  attrs: DeformConv2DBackpropInputAttrs,
): TensorInfo[] {
  const info = computeDeformConvInfo(x.shape, filter.shape, attrs);
  const scope = new Intermediates(backend);
  try {
    const weights = groupedFilter(scope, info, filter);
    const withColumns =
      attrs.keepColumns === true &&
      sampling.fusedInputGrads != null &&
      chunkRows(backend, sampling, info) === rowCount(info);
    let dx: TensorInfo | null = null;
    let columns: TensorInfo | null = null;
    const coordChunks: TensorInfo[][] = [];
    forEachChunk(backend, sampling, info, (start, count) => {
      const dCols = batchMatMul(
        scope,
        sampling,
        dyChunk(scope, info, dy, start, count),
        weights,
        false,
        true,
      );
      let coordGrads: TensorInfo[];
      ({dx, coordGrads, columns} = inputGrads(
        backend,
        sampling,
        info,
        dCols,
        {x, offset, mask},
        start,
        count,
        dx,
        withColumns,
      ));
      coordChunks.push(coordGrads.map(t => scope.add(t)));
    });
    const grads = [
      dx!,
      joinRows(
        scope,
        coordChunks.map(c => c[0]),
        offset.shape,
      ),
    ];
    if (mask != null) {
      grads.push(
        joinRows(
          scope,
          coordChunks.map(c => c[1]),
          mask.shape,
        ),
      );
    }
    return columns == null ? grads : [...grads, columns];
  } finally {
    scope.dispose();
  }
}

export function deformConvBackpropFilter(
  backend: KernelBackend,
  sampling: DeformConvSampling,
  {x, offset, mask, dy, columns}: DeformConvTensors & {dy: TensorInfo; columns?: TensorInfo},
  attrs: DeformConv2DBackpropFilterAttrs,
): TensorInfo {
  const info = computeDeformConvInfo(x.shape, attrs.filterShape, attrs);
  const scope = new Intermediates(backend);
  try {
    let sum: TensorInfo | null = null;
    const addChunk = (cols: TensorInfo, start: number, count: number) => {
      const part = batchMatMul(
        scope,
        sampling,
        cols,
        dyChunk(scope, info, dy, start, count),
        true,
        false,
      );
      sum = sum == null ? part : scope.run('Add', {a: sum, b: part});
    };
    if (columns != null) {
      const expected = [info.groups, rowCount(info), info.taps * info.inChannelsPerGroup];
      if (columns.shape.join() !== expected.join()) {
        throw new Error(
          `${DeformConv2DBackpropFilter}: columns must have shape [${expected}], got [${columns.shape}]`,
        );
      }
      addChunk(columns, 0, rowCount(info));
    } else {
      forEachChunk(backend, sampling, info, (start, count) =>
        addChunk(
          scope.add(sampling.im2col(backend, info, x, offset, mask ?? null, start, count)),
          start,
          count,
        ),
      );
    }
    // [G, K C/G, Cout/G] -> [K C/G, G, Cout/G] -> [kh, kw, C/G, Cout]
    const perFilterRow = info.groups === 1 ? sum! : scope.transpose(sum!, [1, 0, 2]);
    return joinRows(scope, [perFilterRow], attrs.filterShape);
  } finally {
    scope.dispose();
  }
}
