/** Argument checks shared by every op: messages name the op and the argument. */
import {
  customGrad,
  env,
  reshape,
  tensor,
  Tensor,
  Tensor4D,
  zeros,
  zerosLike,
} from '@tensorflow/tfjs-core';
import type {TensorLike} from '@tensorflow/tfjs-core';

import {checkArg} from '../check_arg';
import {MAX_TENSOR_BYTES} from '../flags';

/** Reads a number-or-pair attribute (strides, dilations) as a positive pair. */
export function pair(
  opName: string,
  name: string,
  value: number | [number, number],
): [number, number] {
  const p: number[] = typeof value === 'number' ? [value, value] : value;
  checkArg(
    Array.isArray(p) && p.length === 2 && p.every(v => Number.isInteger(v) && v >= 1),
    opName,
    `${name} must be a positive integer or a pair of them, got ${JSON.stringify(value)}`,
  );
  return [p[0], p[1]];
}

function isTensor(value: unknown): value is Tensor {
  return (
    value != null &&
    typeof value === 'object' &&
    'dataId' in value &&
    'shape' in value &&
    'dtype' in value
  );
}

/**
 * Accepts a float32 tensor (or nested array / typed array, converted here) of
 * one of the given ranks; anything else is an error naming the argument.
 */
export function floatTensorArg(
  opName: string,
  name: string,
  value: Tensor | TensorLike | undefined,
  ranks: number[],
): Tensor {
  checkArg(value != null, opName, `${name} is required`);
  const t = isTensor(value) ? value : tensor(value, undefined, 'float32');
  checkArg(t.dtype === 'float32', opName, `${name} must be float32, got ${t.dtype}`);
  checkArg(
    ranks.includes(t.rank),
    opName,
    `${name} must be of rank ${ranks.join(' or ')}, got rank ${t.rank} (shape [${t.shape}])`,
  );
  return t;
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Checks a per-output-position tensor (offset, mask) against the implied shape. */
export function checkPerPosition(
  opName: string,
  name: string,
  t: Tensor4D,
  expected: number[],
  channelsWhy: string,
) {
  const [n, h, w, c] = t.shape;
  checkArg(
    n === expected[0],
    opName,
    `${name} must have batch size ${expected[0]} like x, got ${n}`,
  );
  checkArg(
    h === expected[1] && w === expected[2],
    opName,
    `${name} must be ${expected[1]}x${expected[2]} (the output size), got ${h}x${w}`,
  );
  checkArg(
    c === expected[3],
    opName,
    `${name} must have ${expected[3]} channels for ${channelsWhy}, got ${c}`,
  );
}

/** Rank-3 `[H, W, C]` tensors as a batch of one. */
export function to4D(t: Tensor): Tensor4D {
  const [h, w, c] = t.shape;
  return (t.rank === 3 ? reshape(t, [1, h, w, c]) : t) as Tensor4D;
}

/** Checks that `x` (`[N, H, W, C]`) is empty at most along its batch: tfjs and PyTorch accept batch 0. */
export function checkNonEmptyImage(opName: string, x: Tensor4D, shownShape: number[]): void {
  const [, height, width, channels] = x.shape;
  checkArg(
    height > 0 && width > 0 && channels > 0,
    opName,
    `x must not be empty but along the batch, got shape [${shownShape}]`,
  );
}

/**
 * The result of an op on an empty batch: zeros of `shape` (no kernel runs),
 * with zero gradients for every input (empty for the per-image ones, zero
 * weights' gradients: a sum over no images).
 */
export function emptyBatchResult(inputs: Tensor[], shape: number[]): Tensor4D {
  const f = customGrad((...args) => ({
    value: zeros(shape),
    gradFunc: () => inputs.map((_, i) => zerosLike(args[i] as Tensor)),
  }));
  return f(...inputs) as Tensor4D;
}

function formatBytes(bytes: number): string {
  const [unit, size] =
    bytes >= 1024 ** 3
      ? ['GiB', 1024 ** 3]
      : bytes >= 1024 ** 2
        ? ['MiB', 1024 ** 2]
        : ['KiB', 1024];
  return `${(bytes / size).toFixed(1)} ${unit}`;
}

/** Checks that a float32 tensor of `shape` (the op's `what`) may be allocated: under DEFORM_MAX_TENSOR_BYTES. */
export function checkAllocatable(opName: string, what: string, shape: number[]): void {
  const bytes = 4 * shape.reduce((a, b) => a * b, 1);
  const limit = env().getNumber(MAX_TENSOR_BYTES);
  checkArg(
    bytes <= limit,
    opName,
    `${what} would be [${shape}], ${formatBytes(bytes)} (${bytes} bytes), over the ${formatBytes(limit)} ` +
      `the package allocates at most (tf.env() flag ${MAX_TENSOR_BYTES})`,
  );
}
