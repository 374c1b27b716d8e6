/** The benchmark's markdown table: medians per backend and workload, and the ratios against the peers. */
import type {Row} from './suite';

const ms = (v: number|null|undefined) => v == null ? '—' : v < 10 ? v.toFixed(2) : v.toFixed(1);
const ratio = (a: number|null|undefined, b: number|null|undefined) =>
    a == null || b == null ? '—' : `${(a / b).toFixed(2)}x`;

export function renderTable(rows: Row[], machine: string): string {
  const find = (backend: string, workload: string, note: string|undefined, impl: string, mode: Row['mode']) =>
      rows.find(r => r.backend === backend && r.workload === workload && r.impl === impl &&
                     r.mode === mode && (r.note ?? '').startsWith(note ?? ''))?.ms;
  const lines = [
    `Medians in ms; ratios are ours ÷ peer (below 1 means we are faster). Machine: ${machine}.`,
    '',
    '| backend | workload | ours fwd | ours fwd+bwd | fwd+bwd ÷ fwd | tf.conv2d fwd | ours ÷ conv2d | stock ops fwd | ours ÷ stock | stock fwd+bwd | onnxruntime-web fwd | ours ÷ ort |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const seen = new Set<string>();
  for (const r of rows) {
    const threads = r.note && /thread/.test(r.note) ? r.note : '';
    const key = `${r.backend}|${r.workload}|${threads}`;
    if (seen.has(key) || r.impl !== 'tfjs-deform' || r.mode !== 'forward') continue;
    seen.add(key);
    const get = (impl: string, mode: Row['mode']) => find(r.backend, r.workload, threads, impl, mode);
    const fwd = get('tfjs-deform', 'forward');
    const both = get('tfjs-deform', 'forward+backward');
    const conv = get('tf.conv2d', 'forward');
    const stock = get('stock ops', 'forward');
    const ort = get('onnxruntime-web', 'forward');
    const stockBoth = rows.find(x => x.backend === r.backend && x.workload === r.workload &&
        x.impl === 'stock ops' && x.mode === 'forward+backward' && (x.note ?? '').startsWith(threads));
    lines.push(`| ${r.backend}${threads ? ` (${threads})` : ''} | ${r.workload} | ${ms(fwd)} | ${ms(both)} | ${
        ratio(both, fwd)} | ${ms(conv)} | ${ratio(fwd, conv)} | ${ms(stock)} | ${ratio(fwd, stock)} | ${
        stockBoth?.ms != null ? ms(stockBoth.ms) : stockBoth?.note?.startsWith('fails') ? 'fails' : '—'} | ${
        ms(ort)} | ${ratio(fwd, ort)} |`);
  }
  const failures = rows.filter(r => r.note?.startsWith('fails'));
  if (failures.length) {
    lines.push('', 'Failures:', ...failures.map(r => `- ${r.backend} ${r.workload} ${r.impl} ${r.mode}: ${r.note}`));
  }
  return lines.join('\n');
}
