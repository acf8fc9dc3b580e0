/**
 * The Go yardstick: a tiny 5x5 Go run whose generation net plays GNU Go through `tengen gtp` and
 * the match runner; the result arrives as a 'strength' event and the games as SGF.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../src/nets/backend.ts';
import { defaultConfig, mergeConfig } from '../../../src/agents/alphazero/config.ts';
import { PipelineEvents } from '../../../src/agents/alphazero/events.ts';
import { Pipeline } from '../../../src/agents/alphazero/pipeline.ts';
import { gnugoAvailable } from '../../../src/agents/alphazero/gnugo-yardstick.ts';

const have = gnugoAvailable();
if (!have) console.warn('GNU Go is not installed: skipping the GNU Go yardstick test (apt-get install gnugo)');

describe.skipIf(!have)('GNU Go yardstick', () => {
  it('plays each generation net against GNU Go level 1 and reports it as a strength result', async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    const runDir = mkdtempSync(join(tmpdir(), 'tengen-gnugo-'));
    const config = mergeConfig(defaultConfig('go'), {
      gameParams: { size: 5 }, arch: 'mlp', blocks: 1, filters: 16, gamesPerGeneration: 2, concurrentGames: 2, simulations: 4, mctsBatchSize: 2,
      evalGames: 0, strengthGames: 0, batchSize: 8, minBufferPositions: 4, workers: 0, progressInterval: 1000, seed: 3, generations: 1,
      gnugoGames: 2, gnugoLevel: 1, evalSimulations: 8,
    }, 'test');
    const events = new PipelineEvents();
    const strength: { opponent: string; wins: number; draws: number; losses: number }[] = [];
    const progress: number[] = [];
    const logs: string[] = [];
    events.on('strength', (e) => strength.push(e));
    events.on('eval:progress', (e) => e.opponent === 'gnugo-1' && progress.push(e.done));
    events.on('log', (e) => logs.push(e.message));
    const p = await Pipeline.create({ runDir, config, events, backend: 'cpu' });
    await p.run();
    p.dispose();
    const g = strength.find((s) => s.opponent === 'gnugo-1');
    expect(g, logs.join('\n')).toBeDefined();
    expect(g!.wins + g!.draws + g!.losses).toBe(2);
    expect(progress).toEqual([1, 2]);
    const sgfDir = join(runDir, 'gnugo', 'gen-000001');
    expect(existsSync(sgfDir)).toBe(true);
    expect(readdirSync(sgfDir).filter((f) => f.endsWith('.sgf'))).toHaveLength(2);
  }, 120_000);
});
