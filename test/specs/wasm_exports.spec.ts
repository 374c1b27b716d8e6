/**
 * The JS side's description of our wasm module (DEFORM_WASM_EXPORTS,
 * PARAM_LAYOUTS) against the built module: every export by name
 * (`WebAssembly.Module.exports`) and arity (the instance's functions'
 * `length`) of the builds this engine compiled; their only import is the
 * heap; no build keeps state (no global, no data segment); the parameter
 * blocks' lengths are the module's. Runs only when `wasm` is a backend under test.
 */
import type {BackendWasm} from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

import {
  compiledModule,
  deformWasm,
  DEFORM_WASM_EXPORTS,
  exportMismatches,
} from '../../src/kernels/wasm/deform_wasm_module';
import * as generated from '../../src/kernels/wasm/generated/deform_wasm';
import {PARAM_KIND_IDS, PARAM_LAYOUTS, ParamKind} from '../../src/kernels/wasm/wasm_params';
import {describeBackend} from '../util/backends';
import {sectionIds} from '../../scripts/wasm_sections';

/** The builds the engine compiled (relaxed SIMD where it has it). */
const BUILDS = [
  {name: 'plain', sharedMemory: false},
  {name: 'shared', sharedMemory: true},
];

/** Ids of the sections of a built module. */
function sectionIdsOf(base64: string): number[] {
  return sectionIds(Uint8Array.from(atob(base64), ch => ch.charCodeAt(0)));
}

/** A memory the build can import, or null where shared memory is unavailable (a page not cross-origin isolated). */
function memoryFor(sharedMemory: boolean): WebAssembly.Memory | null {
  if (!sharedMemory) {
    return new WebAssembly.Memory({initial: 1});
  }
  if (typeof SharedArrayBuffer === 'undefined') {
    return null;
  }
  return new WebAssembly.Memory({initial: 1, maximum: 65536, shared: true});
}

describeBackend('wasm', 'tfjs-deform wasm module exports', () => {
  for (const build of BUILDS) {
    describe(`(${build.name} memory)`, () => {
      it('exports exactly the functions DEFORM_WASM_EXPORTS lists', () => {
        const exports = WebAssembly.Module.exports(compiledModule(build.sharedMemory));
        expect(exports.map(e => e.name).sort()).toEqual(Object.keys(DEFORM_WASM_EXPORTS).sort());
        expect(exports.filter(e => e.kind !== 'function')).toEqual([]);
      });

      it("takes each export's listed parameters (arity)", () => {
        const memory = memoryFor(build.sharedMemory);
        if (memory == null) {
          pending('no SharedArrayBuffer here: the shared build cannot be instantiated');
          return;
        }
        const module = compiledModule(build.sharedMemory);
        const {exports} = new WebAssembly.Instance(module, {env: {memory}});
        for (const [name, params] of Object.entries(DEFORM_WASM_EXPORTS)) {
          const f = exports[name];
          expect(typeof f)
            .withContext(name)
            .toBe('function');
          expect(typeof f === 'function' ? f.length : -1)
            .withContext(`${name}(${params.join(', ')})`)
            .toBe(params.length);
        }
        expect(exportMismatches(exports)).toEqual([]);
      });

      it('imports only the heap', () => {
        expect(WebAssembly.Module.imports(compiledModule(build.sharedMemory))).toEqual([
          {module: 'env', name: 'memory', kind: 'memory'},
        ]);
      });
    });
  }

  it('keeps no state in any build: no global, no data segment', () => {
    expect(Object.keys(generated).length).toBe(4);
    for (const [name, base64] of Object.entries(generated)) {
      const sections = sectionIdsOf(base64);
      expect(sections).withContext(name).not.toContain(6); // global
      expect(sections).withContext(name).not.toContain(11); // data
    }
  });

  it('has parameter blocks of the lengths the JS side writes', () => {
    const module = deformWasm(tf.backend() as BackendWasm);
    for (const kind of Object.keys(PARAM_LAYOUTS) as ParamKind[]) {
      expect(module.paramWords(PARAM_KIND_IDS[kind]))
        .withContext(kind)
        .toBe(PARAM_LAYOUTS[kind].length);
    }
  });

  it('reports a missing export or a wrong arity', () => {
    const module = deformWasm(tf.backend() as BackendWasm);
    const {fillZero: _, ...withoutFillZero} = module;
    expect(exportMismatches(withoutFillZero)).toEqual(['fillZero: missing']);
    const wrongArity = {...module, im2col: (params: number, x: number) => params + x};
    expect(exportMismatches(wrongArity)).toEqual(['im2col: 2 parameters, expected 9']);
  });
});
