/**
 * deformConv2d against onnxruntime-web's DeformConv in interleaved rounds, for
 * the ratios the wasm targets are stated in: each round times a short burst
 * of our forward, of ORT's forward and of our forward + backward, one after
 * the other (in a rotating order), so a noisy neighbour slows all three
 * alike; the ratios are taken per round, and reported as their median and
 * range (lowest–highest).
 */
import type * as Ort from 'onnxruntime-web';
import * as tf from '@tensorflow/tfjs-core';

import configs from './configs.json';
import {dcnWorkload} from './dcn_cases';
import {deformConvGraph, OrtGraph} from './ort_peer';
import {Row, Spread} from './timing';

export const INTERLEAVED_OP = 'deformConv2d, interleaved with onnxruntime-web';
const ROUNDS = 15;

/** Calls per implementation in a round: the round's time is their median (warm, as in a loop). */
const BURST = 3;

async function timeBurst(run: () => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < BURST; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(BURST / 2)];
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor(sorted.length / 2)],
    low: sorted[0],
    high: sorted[sorted.length - 1],
  };
}

async function tfjsRun(run: () => tf.Tensor | tf.Tensor[]): Promise<void> {
  const out = run();
  const list = Array.isArray(out) ? out : [out];
  await Promise.all(list.map(t => t.data()));
  tf.dispose(list);
}

export async function benchInterleaved(
  ort: typeof Ort,
  model: (g: OrtGraph) => Promise<Uint8Array>,
  note: string,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const w of configs.deformConv2d) {
    const {inputs, ours} = dcnWorkload(w);
    const [x, filter, offset, mask] = inputs;
    // As bothModes (timing.ts): the op's backward for an upstream gradient of ones.
    const gradients = tf.grads((...t: tf.Tensor[]) => ours(t[0], t[1], t[2], t[3]));
    const dy = tf.tidy(() => tf.onesLike(ours(x, filter, offset, mask)));
    const graph = deformConvGraph(w);
    const session = await ort.InferenceSession.create(await model(graph), {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    });
    const feeds: Record<string, Ort.Tensor> = {};
    for (const [name, feed] of Object.entries(graph.feeds)) {
      feeds[name] = new ort.Tensor('float32', feed.values(), feed.shape);
    }
    const runs = [
      () => tfjsRun(() => ours(x, filter, offset, mask)),
      async () => {
        await session.run(feeds);
      },
      () => tfjsRun(() => gradients(inputs, dy)),
    ];
    for (let warm = 0; warm < 2; warm++) {
      for (const run of runs) await run();
    }
    const times: number[][] = runs.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < runs.length; i++) {
        const which = (round + i) % runs.length;
        times[which].push(await timeBurst(runs[which]));
      }
    }
    await session.release();
    tf.dispose([...inputs, dy]);
    const [forward, peer, both] = times;
    const row = (impl: string, mode: Row['mode'], values: number[], extra: Partial<Row>): Row => ({
      op: INTERLEAVED_OP,
      workload: w.name,
      backend: tf.getBackend(),
      impl,
      mode,
      ms: spread(values).median,
      runs: ROUNDS,
      note,
      ...extra,
    });
    rows.push(
      row('tfjs-deform', 'forward', forward, {}),
      row('tfjs-deform', 'forward+backward', both, {
        perForward: spread(both.map((t, i) => t / forward[i])),
      }),
      row('onnxruntime-web', 'forward', peer, {
        ratio: spread(forward.map((t, i) => t / peer[i])),
      }),
    );
  }
  return rows;
}
