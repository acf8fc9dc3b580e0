import { describe, expect, it } from 'vitest';
import { GAME_DEFAULTS, defaultConfig, mergeConfig, learningRateAt } from '../../../src/agents/alphazero/config.ts';
import { resolveSelfplayConfig } from '../../../src/commands/selfplay.ts';
import { makeGame } from '../../../src/env/games/index.ts';
import { UserError } from '../../../src/util/errors.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('selfplay config', () => {
  it('has defaults for every built-in game that build the game', () => {
    for (const g of Object.keys(GAME_DEFAULTS)) {
      const c = defaultConfig(g);
      expect(c.game).toBe(g);
      if (g !== 'go') expect(makeGame(c.game, c.gameParams).name).toBe(g);
    }
  });

  it('layers defaults < config file < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tengen-cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ game: 'connect4', simulations: 33, batchSize: 17 }));
    const c = resolveSelfplayConfig({ config: file, set: ['simulations=44'], workers: '0', mode: 'alphazero' });
    expect(c.game).toBe('connect4');
    expect(c.batchSize).toBe(17);
    expect(c.simulations).toBe(44);
    expect(c.workers).toBe(0);
    expect(c.mode).toBe('alphazero');
  });

  it('scales the playout cap with simulations unless fastSimulations is given too', () => {
    const c4 = defaultConfig('connect4');
    expect(c4.fastSimulations).toBeGreaterThan(0);
    expect(c4.fastSimulations).toBeLessThan(c4.simulations);
    const ratio = c4.fastSimulations / c4.simulations;
    expect(mergeConfig(c4, { simulations: 800 }, 'x').fastSimulations).toBe(Math.round(800 * ratio));
    expect(mergeConfig(c4, { simulations: 3 }, 'x').fastSimulations).toBe(1);
    expect(mergeConfig(c4, { simulations: 800, fastSimulations: 10 }, 'x').fastSimulations).toBe(10);
    expect(mergeConfig(c4, { simulations: 800, fastSimulations: 0 }, 'x').fastSimulations).toBe(0);
    expect(() => mergeConfig(c4, { fastSimulations: c4.simulations + 1 }, 'x')).toThrow(/fastSimulations.*at most simulations/);
    // Without a playout cap in the base, setting simulations leaves it off.
    expect(mergeConfig(defaultConfig('tictactoe'), { simulations: 100 }, 'x').fastSimulations).toBe(0);
  });

  it('rejects bad settings with a message naming the field', () => {
    const base = defaultConfig('tictactoe');
    expect(() => mergeConfig(base, { simulations: 0 }, 'x')).toThrow(/simulations/);
    expect(() => mergeConfig(base, { mode: 'fast' }, 'x')).toThrow(/mode.*'zero' or 'alphazero'/);
    expect(() => mergeConfig(base, { simulatons: 3 }, 'x')).toThrow(/unknown setting 'simulatons'/);
    expect(() => mergeConfig(base, { lrSchedule: [{ step: 5, lr: 0.1 }] }, 'x')).toThrow(/step 0/);
    expect(() => mergeConfig(base, { dirichletEpsilon: 2 }, 'x')).toThrow(UserError);
    expect(() => resolveSelfplayConfig({ set: ['simulations'] })).toThrow(/key=value/);
    expect(() => resolveSelfplayConfig({ workers: 'two' })).toThrow(/not a number/);
    expect(() => resolveSelfplayConfig({ config: '/nonexistent/x.json' })).toThrow(/cannot read/);
  });

  it('follows the learning-rate schedule', () => {
    const s = [{ step: 0, lr: 0.1 }, { step: 100, lr: 0.01 }];
    expect(learningRateAt(s, 0)).toBe(0.1);
    expect(learningRateAt(s, 99)).toBe(0.1);
    expect(learningRateAt(s, 100)).toBe(0.01);
  });
});
