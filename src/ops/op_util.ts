/** Argument checks shared by every op: messages name the op and the argument. */
import {tensor, Tensor} from '@tensorflow/tfjs-core';
import type {TensorLike} from '@tensorflow/tfjs-core/dist/types';

/** Throws `Error('<op>: <message>')` unless `condition` holds. */
export function checkArg(
    condition: boolean, opName: string, message: string): asserts condition {
  if (!condition) {
    throw new Error(`${opName}: ${message}`);
  }
}

/** Reads a number-or-pair attribute (strides, dilations) as a positive pair. */
export function pair(
    opName: string, name: string,
    value: number|[number, number]): [number, number] {
  const p: number[] = typeof value === 'number' ? [value, value] : value;
  checkArg(
      Array.isArray(p) && p.length === 2 &&
          p.every(v => Number.isInteger(v) && v >= 1),
      opName,
      `${name} must be a positive integer or a pair of them, got ${
          JSON.stringify(value)}`);
  return [p[0], p[1]];
}

function isTensor(value: unknown): value is Tensor {
  return value != null && typeof value === 'object' && 'dataId' in value &&
      'shape' in value && 'dtype' in value;
}

/**
 * Accepts a float32 tensor (or nested array / typed array, converted here) of
 * one of the given ranks; anything else is an error naming the argument.
 */
export function floatTensorArg(
    opName: string, name: string, value: Tensor|TensorLike|undefined,
    ranks: number[]): Tensor {
  checkArg(value != null, opName, `${name} is required`);
  const t = isTensor(value) ? value : tensor(value, undefined, 'float32');
  checkArg(
      t.dtype === 'float32', opName,
      `${name} must be float32, got ${t.dtype}`);
  checkArg(
      ranks.includes(t.rank), opName,
      `${name} must be of rank ${ranks.join(' or ')}, got rank ${
          t.rank} (shape [${t.shape}])`);
  return t;
}
