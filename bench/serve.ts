/**
 * A static server for the benchmark page on localhost, cross-origin isolated
 * (COOP + COEP) so the threaded wasm builds can run: the page, its bundle,
 * the tfjs and onnxruntime wasm binaries, and the ONNX models of the peers.
 */
import {readFile} from 'node:fs/promises';
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import {extname, resolve} from 'node:path';

import {ortModel} from './ort_models';
import {ORT_GRAPHS} from './ort_peer';

const root = resolve(__dirname, '..');
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.html': 'text/html',
  '.onnx': 'application/octet-stream',
};
const PAGE =
  '<!doctype html><meta charset="utf-8"><title>tfjs-deform bench</title>' +
  '<script type="module" src="/bundle.js"></script>';

async function body(path: string, scratch: string): Promise<Buffer | string | Uint8Array> {
  if (path === '/') return PAGE;
  if (path === '/bundle.js') return readFile(resolve(scratch, 'bundle.js'));
  const file = (prefix: string, dir: string) =>
    path.startsWith(prefix) && resolve(root, dir, path.slice(prefix.length).replace(/\.\./g, ''));
  const tfjsWasm = file('/tfjs-wasm/', 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  if (tfjsWasm) return readFile(tfjsWasm);
  const ortFile = file('/ort/', 'node_modules/onnxruntime-web/dist');
  if (ortFile) return readFile(ortFile);
  const model = /^\/models\/(.+)\/(.+)\.onnx$/.exec(path);
  const graph = model && ORT_GRAPHS.find(g => g.op === model[1] && g.workload === model[2]);
  if (graph) return ortModel(graph);
  throw new Error('not found');
}

export async function serveBenchPage(scratch: string): Promise<{url: string; close: () => void}> {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    try {
      const content = await body(path, scratch);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(path)] ?? 'text/html',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      });
      res.end(content);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
  const {port} = server.address() as AddressInfo;
  return {url: `http://127.0.0.1:${port}/`, close: () => server.close()};
}
