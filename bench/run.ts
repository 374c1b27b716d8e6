/**
 * `npm run bench`: every op's workloads of bench/configs.json on every backend —
 * Node (cpu; wasm at 1 thread and at every core) and headless Chromium (webgl;
 * webgpu through SwiftShader; wasm at 1 thread and at
 * `navigator.hardwareConcurrency`, cross-origin isolated) —
 * next to the peers in the same process or page. Prints a markdown table of
 * medians and ratios and writes bench/results/latest.{json,md}.
 *
 * `npm run bench -- --only node` or `--only browser` runs half of it; each
 * half's rows stay in bench/results/<half>.json, and the table shows both.
 * BENCH_NODE_BACKENDS (default `cpu,wasm`), BENCH_BROWSER_BACKENDS (default
 * `webgl,webgpu,wasm`) and BENCH_OPS (default all) pick backends and ops
 * (deformConv2d on cpu takes long: tfjs's own cpu convolution gradients are
 * slow). New rows replace those of the same backend and op in the results;
 * the others stay.
 */
import {execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {cpus, totalmem} from 'node:os';
import {resolve} from 'node:path';

import {build} from 'esbuild';
import {chromium, Page} from 'playwright-core';

import configs from './configs.json';
import {OP_BENCHES} from './all_cases';

/** The DCN workloads (the largest) last, so the others are measured first. */
const BROWSER_OP_ORDER = [
  ...Object.keys(OP_BENCHES).filter(op => op !== 'deformConv2d'),
  'deformConv2d',
];
import {serveBenchPage} from './serve';
import type {Row} from './timing';
import {renderTable} from './table';

const root = resolve(__dirname, '..');
const scratch = resolve(root, 'node_modules/.cache/bench');
const only = process.argv.includes('--only')
  ? process.argv[process.argv.indexOf('--only') + 1]
  : 'all';

function nodeRuns(): Row[] {
  const rows: Row[] = [];
  const backends = (process.env.BENCH_NODE_BACKENDS ?? 'cpu,wasm').split(',');
  const all: Array<[backend: string, threads: number]> = [
    ['cpu', 1],
    ['wasm', 1],
    ['wasm', cpus().length],
  ];
  const runs = all.filter(([b]) => backends.includes(b));
  for (const [backend, threads] of runs) {
    console.log(`node: ${backend}${backend === 'wasm' ? `, ${threads} thread(s)` : ''} ...`);
    const out = resolve(scratch, `node-${backend}-${threads}.json`);
    rmSync(out, {force: true});
    try {
      execFileSync(
        resolve(root, 'node_modules/.bin/tsx'),
        [resolve(__dirname, 'node.ts'), backend, String(threads), out],
        {stdio: ['ignore', 'ignore', 'inherit']},
      );
    } catch {
      console.log(`  ${backend} stopped early; its rows so far are kept`);
    }
    if (existsSync(out)) {
      rows.push(
        ...(JSON.parse(readFileSync(out, 'utf8')) as Row[]).map(r => ({
          ...r,
          backend: `node ${r.backend}`,
        })),
      );
    }
  }
  return rows;
}

/** The rows a stopped page timed before it overran (none if it no longer answers). */
async function rowsSoFar(page: Page): Promise<Row[]> {
  const answer = page.evaluate(() => (window as unknown as {rowsSoFar: () => Row[]}).rowsSoFar());
  const silence = new Promise<Row[]>(done => setTimeout(() => done([]), 20000));
  return Promise.race([answer.catch(() => []), silence]);
}

async function browserRuns(save: (rows: Row[]) => void): Promise<Row[]> {
  await build({
    entryPoints: [resolve(__dirname, 'browser_entry.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2020',
    outfile: resolve(scratch, 'bundle.js'),
    logLevel: 'warning',
  });
  const server = await serveBenchPage(scratch);
  const browser = await chromium.launch({
    executablePath: process.env.CHROME_BIN ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--enable-unsafe-webgpu',
      '--enable-features=Vulkan,WebGPU',
      '--use-vulkan=swiftshader',
      '--use-webgpu-adapter=swiftshader',
    ],
  });
  const rows: Row[] = [];
  try {
    // On webgpu only the peers run (the package has no webgpu kernels yet: our rows say so).
    const backends = (process.env.BENCH_BROWSER_BACKENDS ?? 'webgl,webgpu,wasm').split(',');
    const ops = process.env.BENCH_OPS?.split(',') ?? BROWSER_OP_ORDER;
    const runs = (
      [
        ['webgl', 1],
        ['webgpu', 1],
        ['wasm', 1],
        ['wasm', 0], // every core
      ] as const
    ).filter(([b]) => backends.includes(b));
    for (const [backend, threads] of runs) {
      // One fresh page per op, with a time limit: a stall (e.g. a stock-op
      // gradient that SwiftShader chokes on) costs that op's remaining rows only.
      for (const op of BROWSER_OP_ORDER.filter(o => ops.includes(o))) {
        console.log(
          `chromium: ${backend}${backend === 'wasm' ? `, ${threads} thread(s)` : ''}, ${op} ...`,
        );
        const page = await browser.newPage();
        page.on('pageerror', e => console.error(`page error: ${e.message}`));
        await page.goto(server.url);
        let timer: ReturnType<typeof setTimeout> | undefined;
        const limit = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('over 6 minutes')), 6 * 60000);
        });
        try {
          const result = await Promise.race([
            limit,
            page.evaluate(
              args =>
                (window as unknown as {runBench: (a: typeof args) => Promise<Row[]>}).runBench(
                  args,
                ),
              {backend, threads, op},
            ),
          ]);
          rows.push(...result.map(r => ({...r, backend: `chromium ${r.backend}`})));
        } catch (e) {
          console.log(`  stopped: ${String((e as Error).message).split('\n')[0]}`);
          rows.push(
            ...(await rowsSoFar(page)).map(r => ({...r, backend: `chromium ${r.backend}`})),
          );
        } finally {
          clearTimeout(timer);
        }
        save(rows); // kept even if a later page stalls or the run is stopped
        await page.close();
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
  return rows;
}

async function main() {
  mkdirSync(scratch, {recursive: true});
  const results = resolve(__dirname, 'results');
  mkdirSync(results, {recursive: true});
  // Each half keeps its own file, so `--only` refreshes one and the table shows both.
  // New rows replace the file's rows of the same backend and op; others stay.
  const saver = (half: string) => {
    const file = resolve(results, `${half}.json`);
    const before = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Row[]) : [];
    return (fresh: Row[]) =>
      writeFileSync(
        file,
        JSON.stringify(
          [
            ...before.filter(r => !fresh.some(f => f.backend === r.backend && f.op === r.op)),
            ...fresh,
          ],
          null,
          1,
        ),
      );
  };
  const halves: Array<[string, (save: (rows: Row[]) => void) => Promise<Row[]>]> = [
    ['node', async () => nodeRuns()],
    ['browser', browserRuns],
  ];
  for (const [half, run] of halves) {
    if (only === 'all' || only === half) {
      const save = saver(half);
      save(await run(save));
    }
  }
  const rows = halves.flatMap(([half]) => {
    const file = resolve(results, `${half}.json`);
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Row[]) : [];
  });
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(
    totalmem() / 2 ** 30,
  )} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
  const markdown = renderTable(rows, machine);
  console.log(`\n${markdown}`);
  writeFileSync(resolve(results, 'latest.json'), JSON.stringify({machine, configs, rows}, null, 1));
  writeFileSync(resolve(results, 'latest.md'), markdown);
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
