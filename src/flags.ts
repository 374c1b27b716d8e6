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

/**
 * Upper bound, in bytes, of any tensor an op of this package would create
 * (its output, a gradient): larger ones are an error naming the op and the
 * size before anything is allocated, instead of an out-of-memory abort that
 * can take a backend down (wasm). Default 2 GiB.
 */
export const MAX_TENSOR_BYTES = 'DEFORM_MAX_TENSOR_BYTES';

/**
 * Threads our wasm passes run on where tfjs runs its threaded build (a
 * cross-origin isolated page), at most the cores; 1 keeps them on the calling
 * thread. Default -1: tfjs's own `getThreadsCount()` (which tfjs caps at half
 * the cores). Results are the same for every count.
 */
export const WASM_THREADS = 'DEFORM_WASM_THREADS';

/**
 * The least work (about one multiply-add per unit) a wasm pass must have to
 * be split over those threads: waking them costs some 50 µs, more than a
 * small pass takes alone. Default 262144 (2^18); 0 splits every pass.
 */
export const WASM_SPLIT_WORK = 'DEFORM_WASM_SPLIT_WORK';

export function registerFlags(): void {
  env().registerFlag(COLUMN_BUFFER_BYTES, () => 64 * 1024 * 1024);
  env().registerFlag(MAX_TENSOR_BYTES, () => 2 * 1024 ** 3);
  env().registerFlag(WASM_THREADS, () => -1);
  env().registerFlag(WASM_SPLIT_WORK, () => 1 << 18);
}

/** The column budget in float32 elements. */
export function maxColumnElements(): number {
  return Math.floor(env().getNumber(COLUMN_BUFFER_BYTES) / 4);
}
