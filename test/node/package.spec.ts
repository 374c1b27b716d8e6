/**
 * The built package as users load it: require() and import in Node, the
 * minified UMD bundle after tf.min.js-style globals, and registration that
 * stays silent when the package is loaded twice.
 */
import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {resolve} from 'node:path';
import * as vm from 'node:vm';

import * as tf from '@tensorflow/tfjs-core';

import * as src from '../../src/index';

const root = resolve(__dirname, '..', '..');
const requireHere = createRequire(resolve(root, 'package.json'));
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));

const args = () => ({
  x: tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]),
  filter: tf.tensor4d([2], [1, 1, 1, 1]),
  offset: tf.tensor4d([0.5, 0.5, 0, 0, 0, 0, 0, 0], [1, 2, 2, 2]),
});

describe('package', () => {
  it('has the version of package.json', () => {
    expect(src.version).toBe(pkg.version);
  });

  it('loads with require() beside the sources without warnings', async () => {
    await tf.setBackend('cpu');
    const warn = spyOn(console, 'warn').and.callThrough();
    const built = requireHere('tfjs-deform') as typeof src;
    expect(warn).not.toHaveBeenCalled();
    expect(Array.from(built.deformConv2d(args()).dataSync())).toEqual([5, 4, 6, 8]);
  });

  it('loads with import in Node (ES module build)', () => {
    const script = `
      import * as tf from '@tensorflow/tfjs-core';
      import '@tensorflow/tfjs-backend-cpu';
      import {deformConv2d} from 'tfjs-deform';
      await tf.setBackend('cpu');
      const y = deformConv2d({x: tf.ones([1, 3, 3, 1]), filter: tf.ones([2, 2, 1, 1]),
                              offset: tf.zeros([1, 2, 2, 8])});
      console.log(JSON.stringify(Array.from(y.dataSync())));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out.trim().split('\n').pop()).toBe('[4,4,4,4]');
  });

  it('defines the global tfdeform from the UMD bundle after the tf globals (core, cpu, layers)', async () => {
    const messages: string[] = [];
    const record = (...m: unknown[]) => messages.push(m.join(' '));
    // A browser-like global: tfjs picks its platform from window, document, navigator.
    const context = vm.createContext({
      console: {log: record, warn: record, error: record, info: record},
      performance,
      TextEncoder,
      TextDecoder,
      setTimeout,
      clearTimeout,
      location: {search: ''},
      navigator: {userAgent: 'vm'},
      document: {},
    });
    context.self = context.window = vm.runInContext('globalThis', context);
    const load = (file: string) =>
      vm.runInContext(readFileSync(requireHere.resolve(file), 'utf8'), context);
    load('@tensorflow/tfjs-core/dist/tf-core.min.js');
    load('@tensorflow/tfjs-backend-cpu/dist/tf-backend-cpu.min.js');
    load('@tensorflow/tfjs-layers/dist/tf-layers.min.js');
    load('./dist/tfjs-deform.min.js');
    load('./dist/tfjs-deform.min.js'); // a second <script> must stay silent
    const result = await vm.runInContext(
      `(async () => {
      await tf.setBackend('cpu');
      const y = tfdeform.deformConv2d({x: tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]),
          filter: tf.tensor4d([2], [1, 1, 1, 1]),
          offset: tf.tensor4d([0.5, 0.5, 0, 0, 0, 0, 0, 0], [1, 2, 2, 2])});
      return Array.from(y.dataSync());
    })()`,
      context,
    );
    expect(Array.from(result as number[])).toEqual([5, 4, 6, 8]);
    expect(messages.filter(m => /registered|overrid/i.test(m))).toEqual([]);
  });
});
