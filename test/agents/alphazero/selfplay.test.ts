import { describe, expect, it } from 'vitest';
import { makeGame } from '../../../src/env/games/index.ts';
import { MCTS } from '../../../src/mcts/mcts.ts';
import { RolloutEvaluator } from '../../../src/mcts/evaluators.ts';
import { gameTargets, playSelfPlayGame, type PlayedGame, type SelfPlaySettings } from '../../../src/agents/alphazero/selfplay.ts';
import { defaultConfig, mergeConfig } from '../../../src/agents/alphazero/config.ts';

const game = makeGame('tictactoe');
const base: SelfPlaySettings = {
  simulations: 24, cPuct: 1.5, dirichletAlpha: 0.5, dirichletEpsilon: 0.25, mctsBatchSize: 1, virtualLoss: 1,
  temperatureMoves: 9, reuseTree: true, resignThreshold: null, resignCheckFraction: 0,
};

async function play(s: SelfPlaySettings, n: number): Promise<PlayedGame[]> {
  const out: PlayedGame[] = [];
  for (let i = 0; i < n; i++) out.push(await playSelfPlayGame(game, new RolloutEvaluator({ seed: i }), s, `t:${i}`, 1, i));
  return out;
}

describe('self-play', () => {
  it('records every move with its root value when playout-cap randomisation is off', async () => {
    for (const g of await play(base, 4)) {
      expect(g.positions).toHaveLength(g.moves.length);
      for (const p of g.positions) {
        expect(p.q).toBeGreaterThanOrEqual(-1);
        expect(p.q).toBeLessThanOrEqual(1);
        expect(p.pi.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
    }
  });

  it('with playout-cap randomisation records only the fully searched moves, about fullSearchFraction of them', async () => {
    const games = await play({ ...base, fastSimulations: 2, fullSearchFraction: 0.3 }, 16);
    const moves = games.reduce((n, g) => n + g.moves.length, 0);
    const recorded = games.reduce((n, g) => n + g.positions.length, 0);
    expect(recorded).toBeGreaterThan(0.1 * moves);
    expect(recorded).toBeLessThan(0.5 * moves);
    // Fraction 1 records every move again.
    for (const g of await play({ ...base, fastSimulations: 2, fullSearchFraction: 1 }, 2)) expect(g.positions).toHaveLength(g.moves.length);
  });

  it('a search with noise: false leaves the root priors alone', () => {
    const s = game.newInitialState();
    const visits = (eps: number, noise: boolean): number[] => {
      const m = new MCTS(game, { seed: 3, dirichletEpsilon: eps, dirichletAlpha: 0.3 });
      return m.searchSync(s, { visits: 200, noise }).candidates.map((c) => c.visits * 10 + c.action);
    };
    expect(visits(0.25, false)).toEqual(visits(0, true));
    expect(visits(0.25, true)).not.toEqual(visits(0, true));
  });

  it('mixes the root value into the value target by valueTargetQ', () => {
    const g: PlayedGame = {
      generation: 1, gameIndex: 0, moves: [4, 0], moveStrings: ['b2', 'a1'], returns: [1, -1], resigned: false, resignDisabled: true, minValue: [0, 0], final: '',
      positions: [
        { obs: new Float32Array(27), pi: new Float32Array(9), player: 0, q: 0.2 },
        { obs: new Float32Array(27), pi: new Float32Array(9), player: 1, q: -0.6 },
      ],
    };
    expect(gameTargets(g).map((t) => t.z)).toEqual([1, -1]);
    const mixed = gameTargets(g, 0.25).map((t) => t.z);
    expect(mixed[0]).toBeCloseTo(0.75 * 1 + 0.25 * 0.2, 6);
    expect(mixed[1]).toBeCloseTo(0.75 * -1 + 0.25 * -0.6, 6);
  });

  it('validates the playout-cap and value-target settings', () => {
    const c = defaultConfig('tictactoe');
    expect(() => mergeConfig(c, { fastSimulations: c.simulations + 1 }, 'flags')).toThrow(/fastSimulations .* at most simulations/);
    expect(() => mergeConfig(c, { fastSimulations: 4, fullSearchFraction: 0 }, 'flags')).toThrow(/fullSearchFraction/);
    expect(() => mergeConfig(c, { fullSearchFraction: 1.5 }, 'flags')).toThrow(/fullSearchFraction .* between 0 and 1/);
    expect(() => mergeConfig(c, { valueTargetQ: 2 }, 'flags')).toThrow(/valueTargetQ .* between 0 and 1/);
    expect(mergeConfig(c, { fastSimulations: 8, fullSearchFraction: 0.25, valueTargetQ: 0.5 }, 'flags').fastSimulations).toBe(8);
  });
});
