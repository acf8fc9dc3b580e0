/**
 * `tengen report RUN_DIR`: learning curves from a run's JSON-lines metrics, as SVG files and one
 * self-contained HTML page.
 *
 * Every line of RUN_DIR/metrics.jsonl is a JSON object. The x axis is the first of `step`,
 * `global_step`, `generation`, `iteration` a line carries (else its line number); every other
 * numeric field becomes a series. Fields sharing a prefix before '/' (losses/value, losses/policy)
 * share one chart. Lines with an `event` name (the self-play pipeline's log) chart each event's
 * fields apart ('eval:result score' is not 'strength score'), with one series per `opponent`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/fs.ts';
import { lineChartSvg, type Series } from './svg-chart.ts';

const X_KEYS = ['step', 'global_step', 'generation', 'iteration'];
const SKIP = new Set(['time', 'wall', 'timestamp', 't']);
/** String fields that split one event's field into several series. */
const SPLIT_BY = ['opponent'];

export interface Chart {
  file: string;
  title: string;
  svg: string;
}

/** Parse metrics lines; a malformed line is reported with its number. */
export function readMetrics(path: string): Array<Record<string, unknown>> {
  if (!existsSync(path)) throw new UserError(`no metrics file at ${path} (expected a run directory written by tengen selfplay or tengen train)`);
  const rows: Array<Record<string, unknown>> = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        throw new UserError(`${path}:${i + 1}: not valid JSON (each line must be one JSON object)`);
      }
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new UserError(`${path}:${i + 1}: expected a JSON object`);
      rows.push(v as Record<string, unknown>);
    });
  return rows;
}

/** Group numeric fields into charts. */
export function buildCharts(rows: Array<Record<string, unknown>>): Chart[] {
  const groups = new Map<string, Map<string, Series>>();
  let xLabel = 'record';
  rows.forEach((row, i) => {
    const xKey = X_KEYS.find((k) => typeof row[k] === 'number');
    if (xKey) xLabel = xKey;
    const x = xKey ? (row[xKey] as number) : i;
    const event = typeof row['event'] === 'string' ? row['event'] : '';
    const split = SPLIT_BY.filter((f) => typeof row[f] === 'string').map((f) => `${f} ${row[f] as string}`).join(', ');
    for (const [k, v] of Object.entries(row)) {
      if (typeof v !== 'number' || !Number.isFinite(v) || X_KEYS.includes(k) || SKIP.has(k)) continue;
      const field = k.includes('/') ? k.slice(0, k.indexOf('/')) : k;
      const group = event ? `${event} ${field}` : field;
      const name = split ? `${k} (${split})` : k;
      let g = groups.get(group);
      if (!g) groups.set(group, (g = new Map()));
      let s = g.get(name);
      if (!s) g.set(name, (s = { name, points: [] }));
      s.points.push([x, v]);
    }
  });
  return [...groups.entries()].map(([group, series]) => ({
    file: `${group.replace(/[^A-Za-z0-9_.-]/g, '_')}.svg`,
    title: group,
    svg: lineChartSvg([...series.values()], { title: group, xLabel }),
  }));
}

/** Write RUN_DIR/report/<chart>.svg and RUN_DIR/report/index.html; returns the HTML path. */
export function writeReport(runDir: string): { html: string; charts: string[] } {
  const rows = readMetrics(join(runDir, 'metrics.jsonl'));
  if (rows.length === 0) throw new UserError(`${join(runDir, 'metrics.jsonl')} holds no metrics yet`);
  const charts = buildCharts(rows);
  const outDir = join(runDir, 'report');
  for (const c of charts) writeFileAtomic(join(outDir, c.file), c.svg);
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>tengen report: ${runDir}</title>
<style>body{font-family:sans-serif;margin:2em} figure{display:inline-block;margin:1em}</style></head>
<body><h1>tengen report</h1><p>${rows.length} metric records from <code>${runDir}</code></p>
${charts.map((c) => `<figure>${c.svg}</figure>`).join('\n')}
</body></html>
`;
  const htmlPath = join(outDir, 'index.html');
  writeFileAtomic(htmlPath, html);
  return { html: htmlPath, charts: charts.map((c) => join(outDir, c.file)) };
}
