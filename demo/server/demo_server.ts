/**
 * The demo's static server on localhost: the page, its bundle and styles,
 * uPlot's stylesheet, tfjs's wasm binaries and the MNIST digits of the
 * `mnist` package as bytes; nothing is fetched from elsewhere. The page is
 * cross-origin isolated (COOP + COEP) so tfjs can use its threaded wasm build.
 */
import {readFile} from 'node:fs/promises';
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import {basename, extname, resolve} from 'node:path';

import {loadMnistDigits} from '../node/mnist_digits';
import {encodeDigits} from '../shared/digits';
import {DEMO_ROOT} from './build_page';

const PACKAGE_ROOT = resolve(DEMO_ROOT, '..');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.map': 'application/json',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
};

export interface DemoServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the page built into `bundleDir` on `port` (0: any free port). */
export async function startDemoServer(bundleDir: string, port: number): Promise<DemoServer> {
  const digits = encodeDigits(loadMnistDigits());
  const files: Record<string, string> = {
    '/': resolve(DEMO_ROOT, 'page/index.html'),
    '/style.css': resolve(DEMO_ROOT, 'page/style.css'),
    '/bundle.js': resolve(bundleDir, 'bundle.js'),
    '/bundle.js.map': resolve(bundleDir, 'bundle.js.map'),
    '/uplot.css': resolve(PACKAGE_ROOT, 'node_modules/uplot/dist/uPlot.min.css'),
  };
  const body = async (path: string): Promise<Uint8Array | null> => {
    if (path === '/digits.bin') {
      return digits;
    }
    if (path.startsWith('/tfjs-wasm/') && extname(path) === '.wasm') {
      return readFile(
        resolve(PACKAGE_ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist', basename(path)),
      );
    }
    return files[path] ? readFile(files[path]) : null;
  };
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const content = await body(path).catch(() => null);
    if (content == null) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'Content-Type': TYPES[extname(path)] ?? TYPES['.html'],
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    });
    response.end(content);
  });
  await new Promise<void>((listening, failed) => {
    server.once('error', failed);
    server.listen(port, '127.0.0.1', listening);
  });
  const {port: actual} = server.address() as AddressInfo;
  return {
    url: `http://localhost:${actual}/`,
    close: () => new Promise(closed => server.close(() => closed())),
  };
}
