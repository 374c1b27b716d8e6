/**
 * Builds dist/: ES module and CommonJS bundles for bundlers and Node, and a
 * minified UMD bundle for <script> tags (global `tfdeform`, reading the
 * global `tf` of tf.min.js). tfjs packages stay external everywhere.
 * Type declarations come from `tsc -p tsconfig.build.json`.
 */
import {build} from 'esbuild';
import {readFileSync, writeFileSync} from 'node:fs';
import {resolve} from 'node:path';

const root = resolve(__dirname, '..');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));
const external = Object.keys(pkg.peerDependencies);
const common = {
  entryPoints: [resolve(root, 'src/index.ts')],
  bundle: true,
  external,
  target: 'es2020',
  sourcemap: true,
  logLevel: 'warning' as const,
};

/** Wraps a CommonJS body so that AMD, CommonJS and plain <script> all work. */
function umd(body: string): string {
  const deps = JSON.stringify(external);
  return `(function (root, factory) {
  if (typeof define === 'function' && define.amd) define(${deps}, factory);
  else if (typeof module === 'object' && module.exports) module.exports = factory(${external
    .map(d => `require('${d}')`)
    .join(', ')});
  else root.tfdeform = factory(${external.map(() => 'root.tf').join(', ')});
})(typeof self !== 'undefined' ? self : this, function () {
  var deps = arguments, names = ${deps};
  var require = function (name) { return deps[names.indexOf(name)]; };
  var module = {exports: {}};
${body}
  return module.exports;
});
`;
}

async function main() {
  await build({...common, format: 'esm', outfile: resolve(root, 'dist/tfjs-deform.esm.mjs')});
  await build({...common, format: 'cjs', outfile: resolve(root, 'dist/tfjs-deform.cjs')});
  const min = await build({
    ...common,
    format: 'cjs',
    minify: true,
    sourcemap: false,
    write: false,
    outfile: 'umd.js',
  });
  writeFileSync(resolve(root, 'dist/tfjs-deform.min.js'), umd(min.outputFiles[0].text));
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
