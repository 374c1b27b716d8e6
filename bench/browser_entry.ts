/**
 * Browser half of `npm run bench`, bundled by bench/run.ts and driven by
 * Playwright: `window.runBench({backend, threads, op})` times one op's
 * workloads on one backend, with onnxruntime-web beside the wasm backend;
 * `window.rowsSoFar()` returns the rows timed so far (when a page overruns).
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import {setThreadsCount, setWasmPaths} from '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-web';

import {ready, WASM_THREADS} from '../src/index';
import {OP_BENCHES} from './all_cases';
import {benchInterleaved} from './interleaved';
import {benchOrt, ORT_GRAPHS, OrtGraph} from './ort_peer';
import {Row, rowsSoFar, settle} from './timing';

setWasmPaths('/tfjs-wasm/');
ort.env.wasm.wasmPaths = '/ort/';

async function runBench({
  backend,
  threads: requested,
  op,
}: {
  backend: string;
  /** 0: every core (`navigator.hardwareConcurrency`). */
  threads: number;
  op: string;
}): Promise<Row[]> {
  const threads = requested || navigator.hardwareConcurrency;
  if (backend === 'wasm') {
    // tfjs's own pool (its GEMMs; tfjs caps it at half the cores), ours, ORT's.
    setThreadsCount(threads);
    tf.env().set(WASM_THREADS, threads);
    ort.env.wasm.numThreads = threads;
  }
  if (!(await tf.setBackend(backend))) {
    throw new Error(`backend ${backend} is not available in this browser`);
  }
  await ready();
  await settle();
  const note = backend === 'wasm' ? `${threads} thread${threads > 1 ? 's' : ''}` : '';
  const rows = await OP_BENCHES[op](note);
  if (backend === 'wasm') {
    const model = async (g: OrtGraph) =>
      new Uint8Array(await (await fetch(`/models/${g.op}/${g.workload}.onnx`)).arrayBuffer());
    rows.push(
      ...(await benchOrt(
        ort,
        backend,
        model,
        note,
        ORT_GRAPHS.filter(g => g.op === op),
      )),
    );
    if (op === 'deformConv2d') {
      rows.push(...(await benchInterleaved(ort, model, note)));
    }
  }
  return rows;
}

Object.assign(window, {runBench, rowsSoFar: () => rowsSoFar});
