/**
 * End-to-end test of the demo page (`npm start`) in headless Chromium:
 * builds and serves the page on a free port, trains both models for a few
 * steps on one backend (URL parameters `backend` and `steps`), and checks
 *
 *   - training reaches the step count,
 *   - both models' test accuracy is above chance (10 %), for runs of at least
 *     {@link STEPS_TO_BEAT_CHANCE} steps (a short run on a slow emulated GPU
 *     checks the rest),
 *   - choosing a test digit draws, in each of the four modes, what a unit of
 *     each model looks at; clicking a unit on it draws that unit,
 *   - the page logged no console error and threw no page error.
 *
 * Saves test-output/demo.png and writes the counts, one per check, to
 * test-output/e2e.json. Exits non-zero when a check fails.
 *
 *   npx tsx test/e2e/demo.e2e.ts
 *
 * DEMO_E2E_BACKEND (default wasm), DEMO_E2E_STEPS (default 100) and
 * DEMO_E2E_TESTS (test digits evaluated, default the page's) choose another
 * backend, length or evaluation size.
 */
import {mkdirSync, writeFileSync} from 'node:fs';
import {resolve} from 'node:path';

import {chromium, Page} from 'playwright-core';

import {buildDemoPage} from '../../demo/server/build_page';
import {startDemoServer} from '../../demo/server/demo_server';

const BACKEND = process.env.DEMO_E2E_BACKEND ?? 'wasm';
const STEPS = Number(process.env.DEMO_E2E_STEPS ?? 100);
const TESTS = process.env.DEMO_E2E_TESTS;
/**
 * WebGPU runs on SwiftShader here, several times slower than wasm, and a
 * loaded 2-core CI host is several times slower again (10 steps and two
 * evaluations of 500 digits took over 7 minutes there, 1.7 here).
 */
const SLOW = BACKEND === 'webgpu';
const TRAINING_TIMEOUT_MS = SLOW ? 900_000 : 150_000;
/** For each drawing of a look (saliency runs hundreds of forward passes). */
const LOOK_TIMEOUT_MS = SLOW ? 180_000 : 30_000;
const STEPS_TO_BEAT_CHANCE = 50;
/** Overlay pixels that must be painted: 729 discs, a heatmap or a dimmed background cover far more. */
const MIN_OVERLAY_PIXELS = 500;
const KINDS = ['cnn', 'dcn'];
const MODES = ['sampling', 'effective', 'receptive', 'saliency'];
/** A gallery digit (0-based), a large centred 0, and a point on its left stroke (on the 320x320 view). */
const SHOWN_DIGIT = 9;
const CLICKED_POSITION = {x: 80, y: 160};

const root = resolve(__dirname, '../..');
const output = resolve(root, 'test-output');
const bundleDir = resolve(root, 'node_modules/.cache/demo-e2e');

const counts = {passed: 0, failed: 0, skipped: 0};

function check(name: string, ok: boolean, detail: string): void {
  counts[ok ? 'passed' : 'failed']++;
  console.log(`${ok ? 'ok  ' : 'FAIL'}  ${name}: ${detail}`);
}

/** An overlay's painted (non-transparent) pixels. */
function paintedPixels(page: Page, kind: string): Promise<number> {
  return page.evaluate(id => {
    const canvas = document.getElementById(id) as HTMLCanvasElement;
    const {data} = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    return data.filter((_, i) => i % 4 === 3 && data[i] > 0).length;
  }, `overlay-${kind}`);
}

/** Both models' overlays showing `mode` for the shown digit. */
async function waitForLook(page: Page, mode: string): Promise<void> {
  for (const kind of KINDS) {
    await page.waitForSelector(
      `#overlay-${kind}[data-digit="${SHOWN_DIGIT}"][data-mode="${mode}"]`,
    );
  }
}

/**
 * Picks a test digit, shows each mode, then clicks a unit on it. Each waits
 * for a drawing that only its own action can cause (the overlays also
 * redraw after every evaluation): the overlays showing that digit in that
 * mode, then the caption naming another unit.
 */
async function checkLooks(page: Page): Promise<void> {
  await page.click(`#gallery button:nth-child(${SHOWN_DIGIT + 1})`);
  for (const mode of MODES) {
    await page.selectOption('#look-mode', mode);
    await waitForLook(page, mode);
    for (const kind of KINDS) {
      const painted = await paintedPixels(page, kind);
      check(
        `the ${mode} view of the ${kind} draws`,
        painted >= MIN_OVERLAY_PIXELS,
        `${painted} painted pixels; ${await page.textContent(`#unit-${kind}`)}`,
      );
    }
  }
  await page.selectOption('#look-mode', 'sampling');
  await waitForLook(page, 'sampling');
  const caption = await page.textContent('#unit-dcn');
  await page.click('#overlay-dcn', {position: CLICKED_POSITION});
  await page.waitForFunction(
    before => document.getElementById('unit-dcn')!.textContent !== before,
    caption,
  );
  const onUnit = await paintedPixels(page, 'dcn');
  check(
    "clicking on the digit draws the clicked unit's sampling points",
    onUnit >= MIN_OVERLAY_PIXELS,
    `${onUnit} painted pixels; ${await page.textContent('#unit-dcn')}`,
  );
}

async function main(): Promise<void> {
  mkdirSync(output, {recursive: true});
  await buildDemoPage(bundleDir);
  const server = await startDemoServer(bundleDir, 0);
  const browser = await chromium.launch({
    executablePath: process.env.CHROME_BIN ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // WebGPU through SwiftShader (no GPU here), as karma's webgpu runs.
      ...(BACKEND === 'webgpu'
        ? [
            '--enable-unsafe-webgpu',
            '--enable-features=Vulkan,WebGPU',
            '--use-vulkan=swiftshader',
            '--use-webgpu-adapter=swiftshader',
          ]
        : []),
    ],
  });
  const errors: string[] = [];
  try {
    const page = await browser.newPage({viewport: {width: 1280, height: 1100}});
    page.setDefaultTimeout(LOOK_TIMEOUT_MS);
    page.on('console', message => {
      if (message.type() === 'error') {
        errors.push(`console: ${message.text()}`);
      }
    });
    page.on('pageerror', error => errors.push(`page error: ${error.message}`));
    await page.goto(
      `${server.url}?backend=${BACKEND}&steps=${STEPS}${TESTS ? `&tests=${TESTS}` : ''}`,
    );
    const state = await page
      .waitForFunction(
        () =>
          ['done', 'error'].includes(document.body.dataset.state ?? '') &&
          document.body.dataset.state,
        undefined,
        {timeout: TRAINING_TIMEOUT_MS},
      )
      .then(handle => handle.jsonValue())
      .catch(() => 'timeout');
    const steps = Number(await page.getAttribute('body', 'data-step'));
    check(
      `trains ${STEPS} steps on ${BACKEND}`,
      state === 'done' && steps === STEPS,
      `state ${state}, ${steps} steps, status "${await page.textContent('#status')}"`,
    );
    for (const kind of STEPS >= STEPS_TO_BEAT_CHANCE ? ['cnn', 'dcn'] : []) {
      const accuracy = Number(await page.getAttribute(`#accuracy-${kind}`, 'data-value'));
      check(
        `${kind} test accuracy above chance`,
        accuracy > 0.1,
        `${(100 * accuracy).toFixed(1)}%`,
      );
    }
    await checkLooks(page);
    await page.screenshot({path: resolve(output, 'demo.png'), fullPage: true});
    check('no console errors or page errors', errors.length === 0, errors.join(' | ') || 'none');
  } finally {
    await browser.close();
    await server.close();
  }
}

main()
  .catch(error => {
    check('the end-to-end run completes', false, String(error?.stack ?? error));
  })
  .finally(() => {
    writeFileSync(resolve(output, 'e2e.json'), JSON.stringify(counts));
    console.log(`demo e2e: ${counts.passed} passed, ${counts.failed} failed`);
    process.exitCode = counts.failed > 0 ? 1 : 0;
  });
