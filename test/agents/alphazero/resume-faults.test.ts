/**
 * Resuming a self-play run after a kill or with a damaged checkpoint: metrics that neither double
 * nor lose an event (and no torn line that breaks `report` for good), flags that contradict the
 * checkpoint refused, foreign nets and bad state.json types named, leftovers of killed writes removed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../src/nets/backend.ts';
import { Pipeline } from '../../../src/agents/alphazero/pipeline.ts';
import { PipelineEvents, attachMetricsLog } from '../../../src/agents/alphazero/events.ts';
import { buildNet, netSpecFor, saveNet } from '../../../src/agents/alphazero/net.ts';
import { makeGame } from '../../../src/agents/alphazero/games.ts';
import { resolveSelfplayConfig } from '../../../src/commands/selfplay.ts';
import { UserError } from '../../../src/util/errors.ts';
import { tinyConfig } from './tiny-config.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'tengen-resume-'));

/** Run (or resume) the tiny run in `dir` to `generations`, with its metrics log as `tengen selfplay` keeps it. */
async function runTo(dir: string, generations: number, resume: boolean): Promise<string[]> {
  const events = new PipelineEvents();
  const logs: string[] = [];
  events.on('log', (e) => logs.push(e.message));
  const metricsPath = join(dir, 'metrics.jsonl');
  const p = await Pipeline.create({ runDir: dir, config: tinyConfig({ generations }), resume, events, metricsPath });
  const off = attachMetricsLog(events, metricsPath);
  await p.run();
  off();
  p.dispose();
  return logs;
}

type Line = { event: string; generation?: number };
const lines = (dir: string): Line[] => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);

beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
});

describe('resuming a killed self-play run', () => {
  it('cuts the metrics back to the checkpoint: no event of an unfinished generation doubled, no torn line', async () => {
    const dir = tmp();
    await runTo(dir, 1, false);
    // Killed during generation 2: some of its events written, the last one torn.
    appendFileSync(join(dir, 'metrics.jsonl'), JSON.stringify({ time: 'x', event: 'generation:start', generation: 2, bestGeneration: 1 }) + '\n');
    appendFileSync(join(dir, 'metrics.jsonl'), JSON.stringify({ time: 'x', event: 'selfplay:done', generation: 2, games: 8 }) + '\n{"time":"x","event":"train:do');
    await runTo(dir, 2, true);
    const all = lines(dir); // every line parses
    for (const g of [1, 2]) {
      for (const event of ['generation:start', 'selfplay:done', 'train:done', 'checkpoint', 'generation:end']) {
        expect(all.filter((l) => l.event === event && l.generation === g), `${event} ${g}`).toHaveLength(1);
      }
    }
  }, 120_000);

  it('removes checkpoint.tmp-<pid> directories of killed processes, and a fresh run starts stale metrics afresh', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'checkpoint.tmp-999999'), { recursive: true });
    writeFileSync(join(dir, 'metrics.jsonl'), '{"event":"generation:end","generation":9}\n{"torn');
    const logs = await runTo(dir, 1, false);
    expect(existsSync(join(dir, 'checkpoint.tmp-999999'))).toBe(false);
    expect(logs.some((m) => /removed checkpoint\.tmp-999999/.test(m))).toBe(true);
    expect(logs.some((m) => /held the metrics of a run that left no checkpoint/.test(m))).toBe(true);
    expect(lines(dir).some((l) => l.generation === 9)).toBe(false);
  }, 120_000);
});

describe('resuming with a damaged or foreign checkpoint', () => {
  let dir = '';
  beforeAll(async () => {
    dir = tmp();
    await runTo(dir, 1, false);
  }, 120_000);

  const resume = (d: string): Promise<Pipeline> => Pipeline.create({ runDir: d, config: tinyConfig({ generations: 2 }), resume: true });

  function copyRun(): string {
    const d = tmp();
    for (const f of ['config.json', 'metrics.jsonl']) writeFileSync(join(d, f), readFileSync(join(dir, f)));
    for (const sub of ['current', 'best']) {
      mkdirSync(join(d, 'checkpoint', sub), { recursive: true });
      for (const f of ['model.json', 'weights.bin']) writeFileSync(join(d, 'checkpoint', sub, f), readFileSync(join(dir, 'checkpoint', sub, f)));
    }
    for (const f of ['state.json', 'optimizer.bin', 'buffer.bin']) writeFileSync(join(d, 'checkpoint', f), readFileSync(join(dir, 'checkpoint', f)));
    return d;
  }

  it('names a Connect Four net put into a tic-tac-toe checkpoint', async () => {
    const d = copyRun();
    const c4 = makeGame('connect4');
    const spec = netSpecFor(c4, 'mlp', 1, 16);
    const model = buildNet(spec, 1);
    await saveNet(join(d, 'checkpoint', 'current'), spec, model);
    model.dispose();
    await expect(resume(d)).rejects.toThrow(/cannot resume .*checkpoint\/current holds a .* net on 6x7x3 with 7 actions; the run \(tictactoe\) needs .* on 3x3x3 with 9 actions/);
  });

  it('names a field of state.json of the wrong type', async () => {
    const d = copyRun();
    const state = JSON.parse(readFileSync(join(d, 'checkpoint', 'state.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(d, 'checkpoint', 'state.json'), JSON.stringify({ ...state, rng: 'oops' }));
    await expect(resume(d)).rejects.toThrow(/cannot resume .*state\.json: rng is "oops", expected four uint32 words/);
    writeFileSync(join(d, 'checkpoint', 'state.json'), JSON.stringify({ ...state, totalGames: -3 }));
    await expect(resume(d)).rejects.toThrow(/totalGames is -3, expected a whole number >= 0/);
  });

  it('refuses flags that contradict the run it resumes, and takes the run limits', () => {
    expect(() => resolveSelfplayConfig({ resume: dir, game: 'connect4' })).toThrow(UserError);
    expect(() => resolveSelfplayConfig({ resume: dir, game: 'connect4' })).toThrow(/game "connect4" contradicts the run's own \(game "tictactoe"\)/);
    expect(() => resolveSelfplayConfig({ resume: dir, set: ['filters=64'] })).toThrow(/filters 64 contradicts the run's own \(filters 16\); a resumed run keeps its settings/);
    expect(resolveSelfplayConfig({ resume: dir, generations: '5', set: ['filters=16'] }).generations).toBe(5);
  });
});
