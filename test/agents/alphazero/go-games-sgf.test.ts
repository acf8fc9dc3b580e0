/** Go self-play games are saved as an SGF collection per generation, beside the JSON lines. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../../src/nets/backend.ts';
import { defaultConfig, mergeConfig } from '../../../src/agents/alphazero/config.ts';
import { Pipeline } from '../../../src/agents/alphazero/pipeline.ts';
import { loadSgfCollection, parseSgfCollection } from '../../../src/env/games/go/sgf.ts';

describe('Go self-play games as SGF', () => {
  it('writes every game of a generation to games/gen-N.sgf with its moves and result', async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    const runDir = mkdtempSync(join(tmpdir(), 'tengen-go-sgf-'));
    const config = mergeConfig(defaultConfig('go'), {
      gameParams: { size: 5 }, arch: 'mlp', blocks: 1, filters: 16, gamesPerGeneration: 4, concurrentGames: 4, simulations: 4, mctsBatchSize: 2,
      evalGames: 0, strengthGames: 0, gnugoGames: 0, batchSize: 8, minBufferPositions: 4, workers: 0, progressInterval: 1000, seed: 4, generations: 1,
      resignCheckFraction: 0.5, resignMinGames: 1,
    }, 'test');
    const p = await Pipeline.create({ runDir, config, backend: 'cpu' });
    await p.run();
    p.dispose();
    const lines = readFileSync(join(runDir, 'games', 'gen-000001.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { actions: number[]; returns: [number, number]; resigned: boolean });
    const text = readFileSync(join(runDir, 'games', 'gen-000001.sgf'), 'utf8');
    const parsed = parseSgfCollection(text);
    const states = loadSgfCollection(text);
    expect(states).toHaveLength(4);
    states.forEach((s, i) => {
      const j = lines[i]!;
      expect(s.history()).toEqual(j.actions);
      expect(s.game.n).toBe(5);
      const winner = parsed[i]!.result.startsWith('B') ? 1 : parsed[i]!.result.startsWith('W') ? -1 : 0;
      expect(winner, parsed[i]!.result).toBe(j.returns[0]);
      if (j.resigned) expect(parsed[i]!.result).toMatch(/\+R$/);
      else expect(s.isTerminal()).toBe(true);
    });
    expect(parsed[0]!.playerBlack).toBe('tengen selfplay gen 1');
    expect(() => parseSgfCollection(text + '(;GM[1]SZ[5];B[zz])')).toThrow(/game 5 of 5/);
  }, 120_000);
});
