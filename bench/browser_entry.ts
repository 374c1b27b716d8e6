/**
 * Browser half of `npm run bench`, bundled by bench/run.ts and driven by
 * Playwright: `window.runBench({backend, threads})` times every workload on
 * one backend, with onnxruntime-web beside the wasm backend.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import '../src/index';

import * as tf from '@tensorflow/tfjs-core';
import {setThreadsCount, setWasmPaths} from '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-web';

import configs from './configs.json';
import {benchOrtDeformConv} from './ort_peer';
import {benchDeformConv2d, Row} from './suite';

setWasmPaths('/tfjs-wasm/');
ort.env.wasm.wasmPaths = '/ort/';

async function runBench({backend, threads}: {backend: string, threads: number}): Promise<Row[]> {
  if (backend === 'wasm') {
    setThreadsCount(threads);
    ort.env.wasm.numThreads = threads;
  }
  if (!(await tf.setBackend(backend))) {
    throw new Error(`backend ${backend} is not available in this browser`);
  }
  const note = backend === 'wasm' ? `${threads} thread${threads > 1 ? 's' : ''}` : '';
  const rows = await benchDeformConv2d(configs.deformConv2d, note);
  if (backend === 'wasm') {
    const model = async (w: {name: string}) =>
        new Uint8Array(await (await fetch(`/models/${w.name}.onnx`)).arrayBuffer());
    rows.push(...await benchOrtDeformConv(ort, backend, configs.deformConv2d, model, note));
  }
  return rows;
}

(window as unknown as {runBench: typeof runBench}).runBench = runBench;
