// Helpers shared by the oracle scripts: seeded random draws, layout
// transposes, comparisons, and where the copied golden files live.
import * as fs from 'fs';
import * as path from 'path';

import {rng} from '../util/random';

/** Seeded draws (the specs' mulberry32), so every fixture is reproducible. */
export function randomTools(seed: number) {
  const rand = rng(seed);
  const randF = (lo: number, hi: number) => lo + (hi - lo) * rand();
  return {
    rand,
    randF,
    randInt: (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)],
    uniform: (n: number, lo: number, hi: number) =>
      Float32Array.from({length: n}, () => randF(lo, hi)),
    shuffle<T>(xs: T[]): T[] {
      for (let i = xs.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [xs[i], xs[j]] = [xs[j], xs[i]];
      }
      return xs;
    },
  };
}

export const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export const NCHW_TO_NHWC = [0, 2, 3, 1];
export const NHWC_TO_NCHW = [0, 3, 1, 2];
export const OIHW_TO_HWIO = [2, 3, 1, 0];

/** Transposes a flat row-major array: out.shape[i] = shape[perm[i]]. */
export function transpose(
  data: ArrayLike<number>,
  shape: number[],
  perm: number[],
): {data: Float32Array; shape: number[]} {
  const outShape = perm.map(p => shape[p]);
  const inStrides = shape.map((_, i) => size(shape.slice(i + 1)));
  const out = new Float32Array(data.length);
  const idx = new Array<number>(shape.length).fill(0); // index in out
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let i = 0; i < perm.length; i++) src += idx[i] * inStrides[perm[i]];
    out[o] = data[src];
    for (let i = idx.length - 1; i >= 0 && ++idx[i] === outShape[i]; i--) {
      idx[i] = 0;
    }
  }
  return {data: out, shape: outShape};
}

/** Nested arrays (as the golden files store tensors) to a flat list. */
export const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    m = Number.isNaN(d) ? Infinity : Math.max(m, d);
  }
  return m;
}

/** A golden file copied into test/fixtures/golden (see its README). */
export function readGolden(relative: string) {
  return JSON.parse(
    fs.readFileSync(path.resolve(__dirname, '../fixtures/golden', relative), 'utf8'),
  );
}

/** Writes a fixture to test/fixtures/generated/<name> and says so. */
export function writeFixture(name: string, fixture: {cases: unknown[]}): void {
  const file = path.resolve(__dirname, '../fixtures/generated', name);
  fs.mkdirSync(path.dirname(file), {recursive: true});
  fs.writeFileSync(file, JSON.stringify(fixture));
  const kb = (fs.statSync(file).size / 1024).toFixed(0);
  console.log(
    `wrote ${fixture.cases.length} cases (${kb} KiB) to ` + `${path.relative(process.cwd(), file)}`,
  );
}

/** Runs an oracle script's main, exiting non-zero on any failure (a check included). */
export function runOracle(main: () => Promise<void>): void {
  main().catch(e => {
    console.error(e);
    process.exit(1);
  });
}
