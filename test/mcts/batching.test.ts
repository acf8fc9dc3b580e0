import { describe, expect, it } from 'vitest';
import { makeGame, type State, type TicTacToeState } from '../../src/env/games/index.ts';
import { connect4FromMoves } from '../../src/env/games/connect4.ts';
import { tictactoeOptimalMoves } from '../../src/env/solvers/tictactoe.ts';
import { BatchingEvaluator, MCTS, RolloutEvaluator, UniformEvaluator, type SearchResult } from '../../src/mcts/index.ts';
import type { Evaluator } from '../../src/env/games/game.ts';
import { Rng } from '../../src/util/rng.ts';
import { BonusNim } from './fixtures/bonus-nim.ts';

const ttt = makeGame('tictactoe');
const c4 = makeGame('connect4');

/** A deterministic, position-dependent evaluator (so results do not depend on call order). */
class HashEvaluator implements Evaluator {
  calls = 0;
  sizes: number[] = [];
  async evaluate(states: State[]): Promise<{ policy: Float32Array[]; value: Float32Array }> {
    this.calls++;
    this.sizes.push(states.length);
    const value = new Float32Array(states.length);
    const policy = states.map((s, i) => {
      const key = s.hash();
      const h = typeof key === 'bigint' ? Number(BigInt.asUintN(32, key)) : [...key].reduce((x, ch) => (Math.imul(x, 31) + ch.charCodeAt(0)) >>> 0, 7);
      value[i] = ((h % 201) - 100) / 400;
      const p = new Float32Array(s.game.numActions);
      for (const a of s.legalActions()) p[a] = 1 + ((h >>> a) & 3);
      return p;
    });
    return { policy, value };
  }
}

describe('batched search with virtual loss', () => {
  it('chooses the same move as serial search at high visit counts', async () => {
    const rng = new Rng(4);
    const positions: State[] = [c4.newInitialState(), connect4FromMoves('17273'), connect4FromMoves('4757'), connect4FromMoves('515151')];
    while (positions.length < 10) {
      const s = ttt.newInitialState();
      for (let k = 1 + rng.int(5); k > 0 && !s.isTerminal(); k--) s.applyAction(s.legalActions()[rng.int(s.legalActions().length)]!);
      if (!s.isTerminal() && tictactoeOptimalMoves(s as TicTacToeState).length === 1) positions.push(s);
    }
    for (const s of positions) {
      const serial = new MCTS(s.game, { seed: 1, evaluator: new RolloutEvaluator({ seed: 1, rollouts: 2 }) });
      const batched = new MCTS(s.game, { seed: 1, evaluator: new RolloutEvaluator({ seed: 1, rollouts: 2 }), batchSize: 8, virtualLoss: 1 });
      expect(serial.isSync).toBe(true);
      expect(batched.isSync).toBe(false);
      const a = await serial.search(s, { visits: 3000 });
      const b = await batched.search(s, { visits: 3000 });
      expect(b.action, s.serialize()).toBe(a.action);
      if (s.game.name === 'tictactoe') expect(tictactoeOptimalMoves(s as TicTacToeState)).toEqual([b.action]);
      expect(b.simulations).toBeLessThanOrEqual(3000);
      expect(b.totalVisits).toBe(b.simulations);
      // Small tic-tac-toe trees end in proven nodes that need no evaluation; Connect Four fills batches.
      if (s.game.name === 'connect4' && b.proven === undefined) expect(batched.stats.meanBatchSize).toBeGreaterThan(6);
    }
  });

  it('undoes virtual loss and collisions exactly on a tiny tree', async () => {
    const g = new BonusNim(4);
    const ev = new HashEvaluator();
    const m = new MCTS(g, { seed: 2, evaluator: ev, batchSize: 8, virtualLoss: 3, solver: false });
    const r = await m.search(g.newInitialState(), { visits: 200 });
    expect(m.stats.collisions).toBeGreaterThan(0);
    expect(r.simulations).toBe(200);
    // All virtual visits were removed: the root's children hold exactly the real visits.
    expect(r.totalVisits).toBe(200);
    expect(r.visits.reduce((x, y) => x + y, 0)).toBe(200);
    for (const c of r.candidates) expect(Math.abs(c.q)).toBeLessThanOrEqual(1);
    // A second search on the same tree works and adds its visits.
    const r2 = await m.search(g.newInitialState(), { visits: 50 });
    expect(r2.totalVisits).toBe(250);
  });

  it('leaves the tree usable when the evaluator fails', async () => {
    let fail = false;
    const inner = new HashEvaluator();
    const flaky: Evaluator = { evaluate: (s) => (fail ? Promise.reject(new Error('net down')) : inner.evaluate(s)) };
    const m = new MCTS(c4, { seed: 1, evaluator: flaky, batchSize: 4 });
    const s = c4.newInitialState();
    await m.search(s, { visits: 40 });
    fail = true;
    await expect(m.search(s, { visits: 40 })).rejects.toThrow('net down');
    fail = false;
    const r = await m.search(s, { visits: 40 });
    expect(r.totalVisits).toBe(80);
  });
});

describe('BatchingEvaluator', () => {
  it('merges the leaves of 32 concurrent searches into big batches without changing results', async () => {
    const inner = new HashEvaluator();
    const shared = new BatchingEvaluator(inner);
    const run = (ev: Evaluator, i: number): Promise<SearchResult> => {
      const s = c4.newInitialState();
      s.applyAction(i % 7);
      return new MCTS(c4, { seed: i, evaluator: ev, batchSize: 8 }).search(s, { visits: 200 });
    };
    const together = await Promise.all(Array.from({ length: 32 }, (_, i) => run(shared, i)));
    const st = shared.stats;
    expect(st.positions).toBe(inner.sizes.reduce((a, b) => a + b, 0));
    expect(st.batches).toBe(inner.calls);
    expect(st.meanBatchSize).toBeGreaterThan(100);
    expect(st.maxBatchSize).toBeGreaterThan(200);
    for (let i = 0; i < 32; i++) {
      const alone = await run(new HashEvaluator(), i);
      expect(Array.from(together[i]!.visits)).toEqual(Array.from(alone.visits));
    }
  });

  it('flushes at maxBatch, passes errors to every waiting search, and checks its options', async () => {
    const inner = new HashEvaluator();
    const ev = new BatchingEvaluator(inner, { maxBatch: 5, flushOn: 'microtask' });
    const s = c4.newInitialState();
    await Promise.all([ev.evaluate([s, s, s]), ev.evaluate([s, s, s]), ev.evaluate([s])]);
    expect(inner.sizes).toEqual([6, 1]);
    const bad = new BatchingEvaluator({ evaluate: () => Promise.reject(new Error('boom')) });
    const results = await Promise.allSettled([bad.evaluate([s]), bad.evaluate([s, s])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(() => new BatchingEvaluator(new UniformEvaluator(), { maxBatch: 0 })).toThrow(/maxBatch must be an integer >= 1/);
  });
});
