/**
 * Our passes on several threads, where tfjs runs its threaded wasm build (a
 * cross-origin isolated page: the heap is a shared `WebAssembly.Memory`).
 * tfjs's own pthread pool is not open to plugins, so we keep a pool of our
 * own workers, each with an instance of our module on the same memory. A
 * pass's rows are split into one contiguous range per thread; the main
 * thread takes the first and then spins on an `Atomics` counter (it may not
 * `Atomics.wait`). Only passes whose rows write disjoint outputs (gathers)
 * are split, so results equal the single-threaded ones bit for bit.
 *
 * Threads: the `DEFORM_WASM_THREADS` flag, by default tfjs's own count, at
 * most the cores. The workers start on first use; until they report ready,
 * passes run on the main thread alone. Node never gets here:
 * tfjs-backend-wasm does not thread there.
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import {env} from '@tensorflow/tfjs-core';

import {WASM_SPLIT_WORK, WASM_THREADS} from '../../flags';

import {
  compiledModule,
  DEFORM_WASM_EXPORTS,
  deformWasm,
  DeformWasmExports,
  heapMemory,
} from './deform_wasm_module';
import {PASS_WORKER_SOURCE} from './pass_worker_source';

type ExportName = keyof typeof DEFORM_WASM_EXPORTS;

/** Control words (Int32) of the pool's SharedArrayBuffer. */
const GENERATION = 0;
const DONE = 1;
const READY = 2;
const FAILED = 3;
/** Each worker's task: the export's index and its arguments (float64), `SLOT_WORDS` each. */
const SLOTS_AT = 64;
const SLOT_WORDS = 24;

/**
 * How long a worker spins for its next task before it sleeps: the passes of
 * one op follow each other within microseconds, and a sleeping worker can
 * take longer to wake than a small pass takes.
 */
const WORKER_SPIN_MS = 2;

/** The longest a pass may take on a worker before the main thread gives up (a dead worker). */
const SPIN_LIMIT_MS = 60_000;

const EXPORT_NAMES = Object.keys(DEFORM_WASM_EXPORTS) as ExportName[];

class PassPool {
  private readonly control: Int32Array;
  private readonly slots: Float64Array;
  private readonly workers: Worker[] = [];

  constructor(
    memory: WebAssembly.Memory,
    readonly threads: number,
  ) {
    const buffer = new SharedArrayBuffer(SLOTS_AT + 8 * SLOT_WORDS * threads);
    this.control = new Int32Array(buffer, 0, SLOTS_AT / 4);
    this.slots = new Float64Array(buffer, SLOTS_AT);
    const url = URL.createObjectURL(new Blob([PASS_WORKER_SOURCE], {type: 'text/javascript'}));
    const module = compiledModule(true);
    for (let slot = 1; slot < threads; slot++) {
      const worker = new Worker(url);
      worker.postMessage({
        module,
        memory,
        buffer,
        slot,
        slotsAt: SLOTS_AT,
        slotWords: SLOT_WORDS,
        names: EXPORT_NAMES,
        spinMs: WORKER_SPIN_MS,
      });
      this.workers.push(worker);
    }
    URL.revokeObjectURL(url);
  }

  terminate(): void {
    this.workers.forEach(worker => worker.terminate());
  }

  get ready(): boolean {
    return Atomics.load(this.control, READY) === this.workers.length;
  }

  /**
   * Runs `name` with `args`, the pair `(start, count)` at `args[at]` split
   * into one range per thread (parts a multiple of `align` long);
   * `perThread(args, thread)` adjusts a thread's arguments (its own scratch).
   */
  run(
    module: DeformWasmExports,
    name: ExportName,
    args: number[],
    {at, align}: {at: number; align: number},
    perThread: (args: number[], thread: number) => number[],
  ): void {
    const [first, count] = [args[at], args[at + 1]];
    const part = align * Math.ceil(count / align / this.threads);
    const task = (t: number) => {
      const start = Math.min(count, t * part);
      const range = [first + start, Math.min(count, start + part) - start];
      return perThread([...args.slice(0, at), ...range, ...args.slice(at + 2)], t);
    };
    const control = this.control;
    Atomics.store(control, DONE, 0);
    for (let t = 1; t < this.threads; t++) {
      const slot = (t - 1) * SLOT_WORDS;
      this.slots[slot] = EXPORT_NAMES.indexOf(name);
      this.slots.set(task(t), slot + 1);
    }
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);
    let error: unknown = null;
    try {
      (module[name] as (...a: number[]) => void)(...task(0));
    } catch (e) {
      error = e;
    }
    const started = performance.now();
    while (Atomics.load(control, DONE) < this.workers.length) {
      if (performance.now() - started > SPIN_LIMIT_MS) {
        throw new Error(
          `tfjs-deform: a wasm worker did not finish ${name} within ${SPIN_LIMIT_MS} ms`,
        );
      }
    }
    if (error != null) {
      throw error;
    }
    if (Atomics.exchange(control, FAILED, 0) !== 0) {
      throw new Error(`tfjs-deform: ${name} failed on a wasm worker`);
    }
  }
}

/** Each heap's pool; null where workers could not be made (a page's policy): one thread there. */
const pools = new WeakMap<WebAssembly.Memory, PassPool | null>();
/** tfjs's thread count for this backend (1 for its non-threaded builds). */
function tfjsThreads(wasm: BackendWasm): number {
  const tfjs = (wasm.wasm as unknown as {tfjs?: {getThreadsCount?: () => number}}).tfjs;
  return tfjs?.getThreadsCount?.() ?? 1;
}

/** The backend's pool once its workers are ready; null where passes run on one thread. */
function readyPool(wasm: BackendWasm): PassPool | null {
  const memory = heapMemory(wasm);
  const requested = env().getNumber(WASM_THREADS);
  const cores = typeof navigator === 'undefined' ? 1 : navigator.hardwareConcurrency || 1;
  const threads = Math.min(requested > 0 ? requested : tfjsThreads(wasm), cores);
  const canShare =
    typeof SharedArrayBuffer !== 'undefined' &&
    memory.buffer instanceof SharedArrayBuffer &&
    typeof Worker !== 'undefined';
  if (!canShare || threads < 2) {
    return null;
  }
  let pool = pools.get(memory);
  if (pool === null) {
    return null;
  }
  if (pool?.threads !== threads) {
    pool?.terminate();
    try {
      pool = new PassPool(memory, threads);
    } catch {
      pools.set(memory, null);
      return null;
    }
    pools.set(memory, pool);
  }
  return pool.ready ? pool : null;
}

/** Resolves when the backend's pool (if it gets one) has started, or after `ms`. */
export async function poolStarted(wasm: BackendWasm, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (readyPool(wasm) == null && pools.get(heapMemory(wasm)) != null && Date.now() < until) {
    await new Promise(resolve => setTimeout(resolve, 5));
  }
}

/** Threads a row pass of this backend runs on now (a pass with scratch allocates it per thread). */
export function passThreads(wasm: BackendWasm): number {
  return readyPool(wasm)?.threads ?? 1;
}

/** Whether a pass of about `work` multiply-adds would be split over threads now. */
export function passSplits(wasm: BackendWasm, work: number): boolean {
  return splitPool(wasm, work) != null;
}

function splitPool(wasm: BackendWasm, work: number): PassPool | null {
  return work >= env().getNumber(WASM_SPLIT_WORK) ? readyPool(wasm) : null;
}

/** How a pass is split over threads, and how its arguments change with the part a thread runs. */
export interface PassSplit {
  /** About how many multiply-adds the call does: below `DEFORM_WASM_SPLIT_WORK` it is not split. */
  work: number;
  /**
   * What is split: its rows (`rowStart`, `rowCount`; gathers, whose rows
   * write disjoint outputs), or for scatters and sums the channels
   * (`channelStart`, `channelCount`, in parts of 4), groups (`groupStart`,
   * `groupCount`) or filter taps (`tapStart`, `tapCount`) whose writes are
   * disjoint.
   */
  over?: 'rows' | 'channels' | 'groups' | 'taps';
  /**
   * Tensors addressed relative to the call's first row, with their bytes per
   * row: a part starting `k` rows in gets their addresses moved by `k` rows
   * (an absent one, address 0, stays 0).
   */
  relative?: Array<[name: string, rowBytes: number]>;
  /** A `scratch` argument of `bytes` per thread for `threads` threads, as `passThreads` gave them. */
  scratch?: {threads: number; bytes: number};
  /** Parts a multiple of this long (channels: 4, their SIMD lanes). */
  align?: number;
}

/**
 * Runs the pass `name` with `args`, split over the backend's pool as `split`
 * says, or on this thread. A pass with scratch is split only over as many
 * threads as it has scratch for.
 */
export function runOnThreads<K extends ExportName>(
  wasm: BackendWasm,
  name: K,
  args: Parameters<DeformWasmExports[K]>,
  {over = 'rows', relative = [], scratch, align, work}: PassSplit,
): void {
  const module = deformWasm(wasm);
  const pool = splitPool(wasm, work);
  if (pool == null || (scratch != null && pool.threads !== scratch.threads)) {
    (module[name] as (...a: number[]) => void)(...(args as number[]));
    return;
  }
  const params = DEFORM_WASM_EXPORTS[name] as readonly string[];
  const at = params.indexOf(`${over.slice(0, -1)}Start`);
  const rowAt = params.indexOf('rowStart');
  const firstRow = args[rowAt] as number;
  pool.run(
    module,
    name,
    args as number[],
    {at, align: align ?? (over === 'channels' ? 4 : 1)},
    (task, thread) => {
      const rowsIn = task[rowAt] - firstRow;
      for (const [tensor, rowBytes] of relative) {
        const index = params.indexOf(tensor);
        if (task[index] !== 0) {
          task[index] += rowsIn * rowBytes;
        }
      }
      if (scratch != null) {
        task[params.indexOf('scratch')] += thread * scratch.bytes;
      }
      return task;
    },
  );
}
