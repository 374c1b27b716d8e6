/**
 * The benchmark's markdown tables, one per op: medians per backend, workload
 * and mode, ours and each peer, with the ratio ours ÷ peer (for rows timed in
 * interleaved rounds, the per-round ratios' median and range).
 */
import type {Row, Spread} from './timing';

const ms = (v: number | null | undefined) =>
  v == null ? '—' : v < 10 ? v.toFixed(2) : v.toFixed(1);
const OURS = 'tfjs-deform';

/** A per-round ratio: median (lowest–highest). */
const spread = (s: Spread) => `${s.median.toFixed(2)} (${s.low.toFixed(2)}–${s.high.toFixed(2)})`;

/** The thread count a wasm row notes (rows of one run share it). */
const threads = (r: Row) => /\d+ threads?/.exec(r.note ?? '')?.[0] ?? '';

export function renderTable(rows: Row[], machine: string): string {
  const lines = [
    `Medians in ms; "÷" columns are ours ÷ peer (below 1: we are faster). ${machine}.`,
  ];
  for (const op of [...new Set(rows.map(r => r.op))]) {
    const ofOp = rows.filter(r => r.op === op);
    const peers = [...new Set(ofOp.map(r => r.impl))].filter(i => i !== OURS);
    lines.push(
      '',
      `### ${op}`,
      '',
      `| backend | workload | mode | ours | fwd+bwd ÷ fwd | ${peers.map(p => `${p} | ÷`).join(' | ')} |`,
      `| --- | --- | --- | ---: | ---: | ${peers.map(() => '---: | ---:').join(' | ')} |`,
    );
    for (const r of ofOp.filter(r => r.impl === OURS)) {
      const same = (x: Row) =>
        x.backend === r.backend && x.workload === r.workload && threads(x) === threads(r);
      const forward = ofOp.find(x => same(x) && x.impl === OURS && x.mode === 'forward')?.ms;
      const cells = peers.map(p => {
        const peer = ofOp.find(x => same(x) && x.impl === p && x.mode === r.mode);
        if (peer == null) return '— | —';
        if (peer.ms == null)
          return `${peer.note?.includes('not timed:') ? 'not timed' : 'fails'} | —`;
        if (peer.ratio != null) return `${ms(peer.ms)} | ${spread(peer.ratio)}`;
        return `${ms(peer.ms)} | ${r.ms == null ? '—' : (r.ms / peer.ms).toFixed(2)}`;
      });
      const perBackward =
        r.perForward != null
          ? `${spread(r.perForward)}x`
          : r.mode === 'forward+backward' && r.ms != null && forward != null
            ? `${(r.ms / forward).toFixed(2)}x`
            : '';
      const failed = r.note?.includes('not registered for backend') ? 'no kernel' : 'fails';
      lines.push(
        `| ${r.backend}${threads(r) ? ` (${threads(r)})` : ''} | ${r.workload} | ${r.mode} | ${
          r.ms == null ? failed : ms(r.ms)
        } | ${perBackward} | ${cells.join(' | ')} |`,
      );
    }
  }
  const where = (r: Row) => `${r.backend}${threads(r) ? ` (${threads(r)})` : ''}`;
  const memory = rows.filter(r => /peak/.test(r.note ?? ''));
  if (memory.length) {
    lines.push(
      '',
      'Peak memory of one forward + backward:',
      ...memory.map(
        r => `- ${where(r)} ${r.workload} ${r.impl}: ${/peak [\d.]+ MiB/.exec(r.note!)![0]}`,
      ),
    );
  }
  const failures = rows.filter(r => r.ms == null);
  if (failures.length) {
    const why = (r: Row) => (r.note ?? '').replace(/^\d+ threads?, /, '');
    lines.push(
      '',
      'Failures and cases not timed:',
      ...failures.map(r => `- ${where(r)} ${r.op} ${r.workload} ${r.impl} ${r.mode}: ${why(r)}`),
    );
  }
  return lines.join('\n');
}
