// Runs the shared specs in headless Chromium (Debian's, via CHROME_BIN) on the
// backends in TFDEFORM_BROWSER_BACKENDS, and writes the counts to
// test-output/karma.json for the final summary of `npm test`.
const fs = require('fs');
const path = require('path');

// karma-esbuild bundles into the OS temp dir and imports the specs relative
// to it; keep that dir inside the project so the paths always resolve.
const cacheDir = path.join(__dirname, 'node_modules', '.cache', 'karma');
fs.mkdirSync(cacheDir, {recursive: true});
process.env.TMPDIR = cacheDir;
if (!process.env.CHROME_BIN && fs.existsSync('/usr/bin/chromium')) {
  process.env.CHROME_BIN = '/usr/bin/chromium';
}

function CountsReporter(baseReporterDecorator) {
  baseReporterDecorator(this);
  const counts = {passed: 0, failed: 0, skipped: 0};
  this.onSpecComplete = (browser, result) => {
    if (result.skipped || result.pending) counts.skipped++;
    else if (result.success) counts.passed++;
    else counts.failed++;
  };
  this.onBrowserError = () => counts.failed++;
  this.onRunComplete = (browsers, results) => {
    if (results.error && counts.failed === 0) counts.failed++;
    const out = path.join(__dirname, 'test-output');
    fs.mkdirSync(out, {recursive: true});
    fs.writeFileSync(path.join(out, 'karma.json'), JSON.stringify(counts));
  };
  // Only counts: the dots reporter prints progress and failures.
  this.adapters = [];
}
CountsReporter.$inject = ['baseReporterDecorator'];

const backends = (process.env.TFDEFORM_BROWSER_BACKENDS || 'cpu')
  .split(',')
  .map(s => s.trim())
  .filter(Boolean);

// TFDEFORM_KARMA_ISOLATED=1 makes the page cross-origin isolated
// (SharedArrayBuffer allowed), so tfjs picks its threaded SIMD wasm binary.
const isolationHeaders =
  process.env.TFDEFORM_KARMA_ISOLATED === '1'
    ? [
        {match: '.*', name: 'Cross-Origin-Opener-Policy', value: 'same-origin'},
        {match: '.*', name: 'Cross-Origin-Embedder-Policy', value: 'require-corp'},
      ]
    : [];

module.exports = function (config) {
  config.set({
    frameworks: ['jasmine'],
    files: [
      'test/browser/setup.ts',
      'test/specs/**/*.spec.ts',
      {
        pattern: 'node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm',
        included: false,
        served: true,
        watched: false,
      },
    ],
    preprocessors: {'test/**/*.ts': ['esbuild']},
    esbuild: {target: 'es2020', sourcemap: true},
    plugins: [
      'karma-jasmine',
      'karma-chrome-launcher',
      'karma-esbuild',
      {'reporter:counts': ['type', CountsReporter]},
    ],
    reporters: ['dots', 'counts'],
    customHeaders: isolationHeaders,
    browsers: ['ChromeHeadlessNoSandbox'],
    customLaunchers: {
      ChromeHeadlessNoSandbox: {
        base: 'ChromeHeadless',
        // Root needs --no-sandbox; the rest keeps Chromium off the (closed) network.
        flags: [
          '--no-sandbox',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          // WebGPU through SwiftShader (no GPU here); only for runs that test webgpu.
          ...(backends.includes('webgpu')
            ? [
                '--enable-unsafe-webgpu',
                '--enable-features=Vulkan,WebGPU',
                '--use-vulkan=swiftshader',
                '--use-webgpu-adapter=swiftshader',
              ]
            : []),
        ],
      },
    },
    client: {backends, jasmine: {random: false, timeoutInterval: 120000}},
    singleRun: true,
    browserNoActivityTimeout: 600000,
    browserDisconnectTimeout: 60000,
    captureTimeout: 120000,
  });
};
