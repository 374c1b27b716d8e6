/**
 * `npm test`: regenerates the onnxruntime oracle fixtures, type-checks, runs
 * the shared specs in Node and in headless Chromium on every backend listed
 * here and the demo's end-to-end spec, then prints one line `N passed, N failed` and exits non-zero on any
 * failure (or when a run reported nothing).
 */
import {spawnSync} from 'node:child_process';
import {existsSync, readFileSync, rmSync} from 'node:fs';
import {resolve} from 'node:path';

/** Backends the shared specs run on; a backend issue adds its name here. */
const NODE_BACKENDS = ['cpu', 'wasm'];
const BROWSER_BACKENDS = ['cpu', 'webgl', 'wasm'];
/** Run again cross-origin isolated, where tfjs picks its threaded wasm build. */
const ISOLATED_BROWSER_BACKENDS = ['wasm'];
/** In a run of their own: Chromium then starts with SwiftShader's WebGPU (karma.conf.js). */
const WEBGPU_BROWSER_BACKENDS = ['webgpu'];

const root = resolve(__dirname, '..');
const output = resolve(root, 'test-output');
const tsx = resolve(root, 'node_modules/.bin/tsx');

let passed = 0;
let failed = 0;

function step(name: string, command: string, args: string[], env: Record<string, string> = {}) {
  console.log(`\n=== ${name}`);
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: {...process.env, ...env},
  });
  return result.status === 0;
}

/** A step that is one check of its own (type-check, fixture generation). */
function check(name: string, command: string, args: string[]) {
  if (step(name, command, args)) {
    passed++;
  } else {
    failed++;
    console.log(`FAILED: ${name}`);
  }
}

/** A spec run that writes its counts to test-output/<name>.json. */
function specRun(
  name: string,
  countsFile: string,
  command: string,
  args: string[],
  env: Record<string, string>,
) {
  const file = resolve(output, countsFile);
  rmSync(file, {force: true});
  const ok = step(name, command, args, env);
  if (!existsSync(file)) {
    failed++;
    console.log(`FAILED: ${name} reported no results`);
    return;
  }
  const counts = JSON.parse(readFileSync(file, 'utf8'));
  if (counts.passed + counts.failed === 0 || (!ok && counts.failed === 0)) {
    counts.failed++;
    console.log(`FAILED: ${name} ran no spec or exited with an error`);
  }
  passed += counts.passed;
  failed += counts.failed;
}

// The fixture first: the specs (and so the type-check) import it.
check('onnxruntime DeformConv oracle fixture', tsx, ['test/oracle/deform_conv_ort.ts']);
check('onnxruntime DCNv3 (GridSample) oracle fixture', tsx, ['test/oracle/dcnv3_ort.ts']);
check('onnxruntime RoiAlign oracle fixture', tsx, ['test/oracle/roi_align_ort.ts']);
check('formatting (prettier --check)', resolve(root, 'node_modules/.bin/prettier'), [
  '--check',
  '**/*.{ts,js,mjs,cjs}',
]);
check('type-check', resolve(root, 'node_modules/.bin/tsc'), ['--noEmit', '-p', '.']);
check('type-check of the demo', resolve(root, 'node_modules/.bin/tsc'), ['--noEmit', '-p', 'demo']);
specRun(`specs in Node (${NODE_BACKENDS})`, 'node.json', tsx, ['test/node/run.ts'], {
  TFDEFORM_BACKENDS: NODE_BACKENDS.join(','),
});
specRun(
  `specs in headless Chromium (${BROWSER_BACKENDS})`,
  'karma.json',
  resolve(root, 'node_modules/.bin/karma'),
  ['start', 'karma.conf.js'],
  {TFDEFORM_BROWSER_BACKENDS: BROWSER_BACKENDS.join(',')},
);
specRun(
  `specs in headless Chromium, cross-origin isolated (${ISOLATED_BROWSER_BACKENDS})`,
  'karma.json',
  resolve(root, 'node_modules/.bin/karma'),
  ['start', 'karma.conf.js'],
  {TFDEFORM_BROWSER_BACKENDS: ISOLATED_BROWSER_BACKENDS.join(','), TFDEFORM_KARMA_ISOLATED: '1'},
);
specRun(
  `specs in headless Chromium (${WEBGPU_BROWSER_BACKENDS}, SwiftShader)`,
  'karma.json',
  resolve(root, 'node_modules/.bin/karma'),
  ['start', 'karma.conf.js'],
  {TFDEFORM_BROWSER_BACKENDS: WEBGPU_BROWSER_BACKENDS.join(',')},
);

specRun(
  'demo end-to-end (Playwright, headless Chromium, wasm)',
  'e2e.json',
  tsx,
  ['test/e2e/demo.e2e.ts'],
  {},
);
// A few steps on webgpu too (SwiftShader is slow; 48 test digits evaluated, not 500): the page trains there as well.
specRun(
  'demo end-to-end (Playwright, headless Chromium, webgpu, 10 steps)',
  'e2e.json',
  tsx,
  ['test/e2e/demo.e2e.ts'],
  {DEMO_E2E_BACKEND: 'webgpu', DEMO_E2E_STEPS: '10', DEMO_E2E_TESTS: '48'},
);

console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
