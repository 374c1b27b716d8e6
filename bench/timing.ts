/** Timing shared by every benchmark case, in Node and in the browser. */
import * as tf from '@tensorflow/tfjs-core';

export interface Row {
  op: string;
  workload: string;
  backend: string;
  impl: string;
  mode: 'forward' | 'forward+backward';
  /** Median wall time per call in ms, or null when the implementation failed. */
  ms: number | null;
  runs: number;
  note?: string;
  /** A peer's row timed in interleaved rounds: ours ÷ this peer, per round. */
  ratio?: Spread;
  /** Our forward+backward row timed in interleaved rounds: ÷ our forward, per round. */
  perForward?: Spread;
}

/** The median and range (lowest, highest) of per-round values. */
export interface Spread {
  median: number;
  low: number;
  high: number;
}

/** Something to time: returns the tensors to wait for (then disposed). */
export type Run = () => tf.Tensor | tf.Tensor[];
/**
 * An implementation's mode to time; `done` (if any) frees what its runs
 * kept, once timed (a later run makes it again).
 */
export type Case = [impl: string, mode: Row['mode'], run: Run, done?: () => void];

/**
 * Waits for the engine's background work after start-up (V8 compiling and
 * tiering up tfjs's wasm binary on other threads) to end before anything is
 * timed: measured, the first case of a fresh page ran 2x slower on two
 * threads without it (the background compile held the second core).
 */
export function settle(ms = 3000): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** Median of at least `minRuns` timed calls after warm-up, within a time budget. */
export async function median(
  run: () => Promise<void>,
  {minRuns = 5, maxRuns = 30, budgetMs = 4000} = {},
): Promise<{ms: number; runs: number}> {
  // Warm-up (compiles shaders, grows heaps); a slow case gets fewer runs, and
  // one far over the budget is reported from its single (cold) run.
  const t = performance.now();
  await run();
  const cold = performance.now() - t;
  if (cold > 4 * budgetMs) {
    return {ms: cold, runs: 1};
  }
  if (cold > budgetMs / 8) {
    minRuns = 3;
  } else {
    await run();
  }
  const times: number[] = [];
  const start = performance.now();
  while (
    times.length < minRuns ||
    (times.length < maxRuns && performance.now() - start < budgetMs)
  ) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return {ms: times[Math.floor(times.length / 2)], runs: times.length};
}

/** Times a tfjs computation, waiting for its results' data (so GPU work is included). */
function timeTf(run: Run) {
  return median(async () => {
    const out = run();
    const list = Array.isArray(out) ? out : [out];
    await Promise.all(list.map(t => t.data()));
    tf.dispose(list);
  });
}

/** Times each case on the active backend; a failing one becomes a row saying why. */
export async function timeCases(
  op: string,
  workload: string,
  cases: Case[],
  note = '',
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [impl, mode, run, done] of cases) {
    rows.push(
      await timeRow(
        {op, workload, backend: tf.getBackend(), impl, mode, ms: null, runs: 0, note},
        () => timeTf(run),
      ),
    );
    done?.();
  }
  return rows;
}

/** Every row timed so far in this process or page (what a stopped page still reports). */
export const rowsSoFar: Row[] = [];

/** Fills a row from `measure`, or notes the failure. */
export async function timeRow(
  row: Row,
  measure: () => Promise<{ms: number; runs: number}>,
): Promise<Row> {
  try {
    Object.assign(row, await measure());
  } catch (e) {
    // Keeps the run's note (the thread count the tables group by).
    row.note = `${row.note ? `${row.note}, ` : ''}fails: ${String((e as Error).message ?? e)
      .split('\n')[0]
      .slice(0, 100)}`;
  }
  rowsSoFar.push(row);
  return row;
}

/**
 * Why the gather-based stock compositions of deformConv2d and dcnv3 are not
 * timed on tfjs's cpu backend (its rank-5/6 broadcasting and gathers there).
 */
export const STOCK_ON_CPU = 'one forward ran over 5 minutes, its memory growing by ~20 MB/s';

/** Both modes' rows of an implementation left out of a run, saying why. */
export function notTimed(
  op: string,
  workload: string,
  impl: string,
  why: string,
  note = '',
): Row[] {
  return (['forward', 'forward+backward'] as const).map(mode => ({
    op,
    workload,
    backend: tf.getBackend(),
    impl,
    mode,
    ms: null,
    runs: 0,
    note: `${note ? `${note}, ` : ''}not timed: ${why}`,
  }));
}

/** Seeded uniform input. */
export function uniform(shape: number[], lo: number, hi: number, seed: number): tf.Tensor {
  return tf.randomUniform(shape, lo, hi, 'float32', seed);
}

/**
 * Both modes of an op: `f(...inputs)`, and its gradients w.r.t. every input
 * for an upstream gradient of ones: the op's own backward, without a loss (a
 * `tf.sum` and its gradient add ~1 ms per call on wasm at these sizes). The
 * ones are made once, in the shape the forward case (timed first) returned,
 * by the backend's Fill kernel: the engine's default `dy` is filled in
 * JavaScript on every call (0.3 ms for dcn-wide's output).
 */
export function bothModes(
  impl: string,
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
): Case[] {
  let shape: number[] | undefined;
  let dy: tf.Tensor | undefined;
  const forward = () => {
    const y = f(...inputs);
    shape = y.shape;
    return y;
  };
  const backward = () => {
    if (dy == null || dy.isDisposed) {
      dy = shape == null ? undefined : tf.fill(shape, 1);
    }
    return tf.grads(f)(inputs, dy);
  };
  return [
    [impl, 'forward', forward],
    [impl, 'forward+backward', backward, () => dy?.dispose()],
  ];
}
