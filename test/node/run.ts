/**
 * Runs the shared specs (and the Node-only package specs) in Node with
 * jasmine, on the backends in TFDEFORM_BACKENDS, and writes the counts to
 * test-output/node.json for the final summary. TFDEFORM_SPECS (comma-separated
 * globs under test/, e.g. `specs/dcnv3*.spec.ts`) runs a subset while developing.
 */
import {mkdirSync, writeFileSync} from 'node:fs';
import {resolve} from 'node:path';

import Jasmine from 'jasmine';

async function main() {
  const root = resolve(__dirname, '..', '..');
  const runner = new Jasmine({projectBaseDir: root});
  runner.exitOnCompletion = false;
  await runner.loadConfig({
    spec_dir: 'test',
    spec_files: process.env.TFDEFORM_SPECS?.split(',') ?? [
      'specs/**/*.spec.ts',
      'node/**/*.spec.ts',
    ],
    helpers: ['node/setup.ts'],
  });
  runner.env.configure({random: false});
  const counts = {passed: 0, failed: 0, skipped: 0};
  runner.addReporter({
    specDone(result) {
      if (result.status === 'passed') counts.passed++;
      else if (result.status === 'failed') counts.failed++;
      else counts.skipped++;
    },
  });
  const result = await runner.execute();
  if (result.overallStatus !== 'passed' && counts.failed === 0) {
    counts.failed++; // e.g. an error in a suite or a missing spec file
  }
  mkdirSync(resolve(root, 'test-output'), {recursive: true});
  writeFileSync(resolve(root, 'test-output', 'node.json'), JSON.stringify(counts));
  process.exitCode = counts.failed > 0 ? 1 : 0;
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
