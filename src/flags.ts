/**
 * tfjs environment flags of this package (global, so every bundle that
 * includes it sees the same values): `tf.env().set(name, value)`.
 */
import {env} from '@tensorflow/tfjs-core';

/**
 * Upper bound, in bytes, of the column buffer a deformable convolution kernel
 * allocates at once (the work is chunked over output positions to respect
 * it; a single output position may exceed it). Default 64 MiB.
 */
export const COLUMN_BUFFER_BYTES = 'DEFORM_COLUMN_BUFFER_BYTES';

export function registerFlags(): void {
  env().registerFlag(COLUMN_BUFFER_BYTES, () => 64 * 1024 * 1024);
}

/** The column budget in float32 elements. */
export function maxColumnElements(): number {
  return Math.floor(env().getNumber(COLUMN_BUFFER_BYTES) / 4);
}
