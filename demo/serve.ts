/**
 * `npm start`: builds the demo page and serves it on http://localhost:8080/
 * (or `PORT`) until Ctrl-C.
 */
import {resolve} from 'node:path';

import {buildDemoPage} from './server/build_page';
import {startDemoServer} from './server/demo_server';

const BUNDLE_DIR = resolve(__dirname, '../node_modules/.cache/demo');

async function main() {
  await buildDemoPage(BUNDLE_DIR);
  const server = await startDemoServer(BUNDLE_DIR, Number(process.env.PORT ?? 8080));
  console.log(`tfjs-deform demo: ${server.url}  (Ctrl-C to stop)`);
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
