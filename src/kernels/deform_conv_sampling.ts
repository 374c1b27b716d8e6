/**
 * What a backend provides for the deformable convolutions: the three sampling
 * passes, and optionally its own GEMM. Everything else (chunking, the GEMMs
 * through the backend's BatchMatMul when it has no GEMM of its own, grouping,
 * assembling outputs) is the shared driver in deform_conv_driver.ts,
 * identical for every backend.
 *
 * All tensors are backend `TensorInfo`s; `x`, `offset` and `mask` are the
 * kernel's full inputs (`[N, H, W, C]`, `[N, Ho, Wo, 2 D K]`,
 * `[N, Ho, Wo, D K]` with `K = kh * kw`), never sliced: a pass handles the
 * output positions ("rows", flattened `(n, oh, ow)`) `[rowStart, rowStart +
 * rowCount)`. Results belong to the caller, which disposes them.
 *
 * Column layout `[G, rowCount, K * C/G]`, entry `(q, r, k * C/G + cc)` =
 * `mask * Z(x[n, :, :, q * C/G + cc]; y, x)` for tap `k = i * kw + j` at row
 * `rowStart + r` (sampler Z and positions as in docs/semantics.md §0.1 and §1.4,
 * mask 1 when absent).
 */
import type {KernelBackend, TensorInfo} from '@tensorflow/tfjs-core';

import type {DeformConvInfo} from '../shape/deform_conv';

/**
 * A backend's sampling: im2col, and for the input gradients either the two
 * separate passes (`col2im`, `coordGrad`) or one walk doing both
 * (`fusedInputGrads`).
 */
export type DeformConvSampling = DeformConvPasses & (SeparateInputGrads | FusedInputGrads);

interface DeformConvPasses {
  /**
   * Optional cap on the column buffer, in elements, on top of the
   * DEFORM_COLUMN_BUFFER_BYTES flag (e.g. what fits in one texture).
   */
  maxColumnElements?(backend: KernelBackend, info: DeformConvInfo): number;

  /**
   * The backend's own batched GEMM, where it beats its BatchMatMul kernel:
   * `op(a) · op(b)` for `a` `[G, M, K]` (or `[G, K, M]` transposed) and `b`
   * `[G, K, N]` (or `[G, N, K]`), plus `bias` (`[G * N]`, batch `g` adding
   * entries `g N ...`) when given: `[G, M, N]`, the caller's.
   */
  matMul?(
    backend: KernelBackend,
    a: TensorInfo,
    b: TensorInfo,
    transposeA: boolean,
    transposeB: boolean,
    bias?: TensorInfo,
  ): TensorInfo;

  /** Deformable im2col of the rows: columns `[G, rowCount, K * C/G]`. */
  im2col(
    backend: KernelBackend,
    info: DeformConvInfo,
    x: TensorInfo,
    offset: TensorInfo,
    mask: TensorInfo | null,
    rowStart: number,
    rowCount: number,
  ): TensorInfo;
}

export interface SeparateInputGrads {
  /**
   * Input gradient (a scatter): adds the transpose of im2col applied to
   * `dCols` (`[G, rowCount, K * C/G]`) into `dx` (`[N, H, W, C]`). `dx` is
   * null on the first chunk: the pass then creates it zero-filled. Returns
   * the accumulated `dx` (the same tensor when the backend adds in place; if
   * it returns a new one, it disposes the old).
   */
  col2im(
    backend: KernelBackend,
    info: DeformConvInfo,
    dCols: TensorInfo,
    offset: TensorInfo,
    mask: TensorInfo | null,
    rowStart: number,
    rowCount: number,
    dx: TensorInfo | null,
  ): TensorInfo;

  /**
   * Offset and mask gradients of the rows (gathers): `[rowCount, 2 D K]`
   * (Δy, Δx interleaved as in `offset`), then `[rowCount, D K]` when `mask`
   * is given. Samples outside the window get 0; mmcv's rule at integers.
   */
  coordGrad(
    backend: KernelBackend,
    info: DeformConvInfo,
    dCols: TensorInfo,
    x: TensorInfo,
    offset: TensorInfo,
    mask: TensorInfo | null,
    rowStart: number,
    rowCount: number,
  ): TensorInfo[];
  fusedInputGrads?: never;
}

export interface FusedInputGrads {
  col2im?: never;
  coordGrad?: never;
  /**
   * The input gradients in one walk of the samples: what `col2im` (into
   * `dx`, or a fresh one when null) and `coordGrad` give for the rows, and
   * with `withColumns` the rows' columns (the filter gradient's operand;
   * `im2col`'s to rounding).
   */
  fusedInputGrads(
    backend: KernelBackend,
    info: DeformConvInfo,
    dCols: TensorInfo,
    x: TensorInfo,
    offset: TensorInfo,
    mask: TensorInfo | null,
    rowStart: number,
    rowCount: number,
    dx: TensorInfo | null,
    withColumns: boolean,
  ): {dx: TensorInfo; coordGrads: TensorInfo[]; columns: TensorInfo | null};
}
