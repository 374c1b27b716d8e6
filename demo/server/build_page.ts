/** Bundles the demo page (demo/page/main.ts, the package from src/, tfjs, uPlot) into one script with esbuild. */
import {resolve} from 'node:path';

import {build} from 'esbuild';

export const DEMO_ROOT = resolve(__dirname, '..');

/** Writes `bundle.js` (and its source map) into `outDir`. */
export async function buildDemoPage(outDir: string): Promise<void> {
  await build({
    entryPoints: [resolve(DEMO_ROOT, 'page/main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2020',
    sourcemap: true,
    outfile: resolve(outDir, 'bundle.js'),
    logLevel: 'warning',
  });
}
