/**
 * Node half of `npm run bench`: `tsx bench/node.ts <backend> <threads> <out.json>`
 * times every op's workloads on one tfjs backend (cpu or wasm), plus
 * onnxruntime-web (wasm, same thread count) next to the wasm backend, in this
 * one process.
 */
import '@tensorflow/tfjs-layers'; // registers tfjs-core's gradients in Node
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import {setThreadsCount} from '@tensorflow/tfjs-backend-wasm';
import {writeFileSync} from 'node:fs';

import {ready} from '../src/index';
import {OP_BENCHES} from './all_cases';
import {ortModel} from './ort_models';
import {benchInterleaved} from './interleaved';
import {benchOrt, ORT_GRAPHS} from './ort_peer';
import {Row, settle} from './timing';

async function main() {
  const [backend, threadsArg, out] = process.argv.slice(2);
  const threads = Number(threadsArg);
  if (backend === 'wasm') {
    setThreadsCount(threads);
  }
  if (!(await tf.setBackend(backend))) {
    throw new Error(`backend ${backend} failed to initialise`);
  }
  await ready();
  await settle();
  const note = backend === 'wasm' ? `${threads} thread${threads > 1 ? 's' : ''}` : '';
  // BENCH_OPS (default: all) picks the ops, e.g. to skip a slow one on cpu.
  const ops = process.env.BENCH_OPS?.split(',') ?? Object.keys(OP_BENCHES);
  const rows: Row[] = [];
  // Written after each step, so a run stopped early keeps what it timed.
  const save = () => writeFileSync(out, JSON.stringify(rows));
  for (const op of ops) {
    rows.push(...(await OP_BENCHES[op](note)));
    save();
  }
  if (backend === 'wasm') {
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = threads;
    rows.push(
      ...(await benchOrt(
        ort,
        backend,
        async g => ortModel(g),
        note,
        ORT_GRAPHS.filter(g => ops.includes(g.op)),
      )),
    );
    if (ops.includes('deformConv2d')) {
      rows.push(...(await benchInterleaved(ort, async g => ortModel(g), note)));
    }
  }
  save();
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
