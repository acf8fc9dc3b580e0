import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCharts, writeReport } from '../../src/report/report.ts';
import { niceTicks } from '../../src/report/svg-chart.ts';

describe('tengen report', () => {
  it('groups metrics by prefix and plots them against the step', () => {
    const rows = [
      { step: 0, 'losses/value': 1, 'losses/policy': 2, episodic_return: 10 },
      { step: 10, 'losses/value': 0.5, 'losses/policy': 1.5 },
      { step: 20, episodic_return: 30 },
    ];
    const charts = buildCharts(rows);
    expect(charts.map((c) => c.title).sort()).toEqual(['episodic_return', 'losses']);
    const losses = charts.find((c) => c.title === 'losses')!;
    expect(losses.svg).toContain('losses/value');
    expect(losses.svg).toContain('losses/policy');
    expect((losses.svg.match(/<path /g) ?? []).length).toBe(2);
  });

  it('writes SVGs and a self-contained HTML page', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tengen-report-'));
    writeFileSync(join(dir, 'metrics.jsonl'), '{"generation":1,"elo":0}\n{"generation":2,"elo":35}\n');
    const { html, charts } = writeReport(dir);
    expect(charts).toHaveLength(1);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg');
    expect(page).toContain('2 metric records');
  });

  it('names the bad line of a corrupt metrics file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tengen-report-'));
    writeFileSync(join(dir, 'metrics.jsonl'), '{"step":1,"x":1}\n{oops\n');
    expect(() => writeReport(dir)).toThrow(/metrics\.jsonl:2: not valid JSON/);
  });

  it('rejects a directory without metrics', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tengen-report-'));
    expect(() => writeReport(dir)).toThrow(/no metrics file/);
  });

  it('picks round tick values covering the range', () => {
    expect(niceTicks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    const t = niceTicks(-0.37, 1.42);
    expect(t[0]).toBeGreaterThanOrEqual(-0.37);
    expect(t[t.length - 1]).toBeLessThanOrEqual(1.42);
  });

  it('charts the fields of different pipeline events apart, one series per opponent', () => {
    const rows = [
      { event: 'eval:result', generation: 1, score: 0.6 },
      { event: 'strength', generation: 1, opponent: 'random', score: 0.9 },
      { event: 'strength', generation: 1, opponent: 'perfect', score: 0.4 },
      { event: 'strength', generation: 2, opponent: 'random', score: 0.95 },
    ];
    const charts = buildCharts(rows);
    const titles = charts.map((c) => c.title).sort();
    expect(titles).toEqual(['eval:result score', 'strength score']);
    const strength = charts.find((c) => c.title === 'strength score')!;
    expect(strength.svg).toContain('score (opponent random)');
    expect(strength.svg).toContain('score (opponent perfect)');
    expect(charts.find((c) => c.title === 'eval:result score')!.svg).not.toContain('opponent');
  });
});
