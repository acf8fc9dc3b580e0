import { describe, expect, it } from 'vitest';
import { makeGame, type TicTacToeState } from '../../src/env/games/index.ts';
import { connect4FromMoves } from '../../src/env/games/connect4.ts';
import { tictactoeValue } from '../../src/env/solvers/tictactoe.ts';
import { MCTS, selectAction, temperatureFor, UniformEvaluator, type SearchResult } from '../../src/mcts/index.ts';
import { Rng } from '../../src/util/rng.ts';

const ttt = makeGame('tictactoe');
const c4 = makeGame('connect4');

describe('tree reuse', () => {
  it('keeps the subtree of the played move and adds new visits to it', () => {
    const m = new MCTS(c4, { seed: 1, evaluator: new UniformEvaluator() });
    const s = c4.newInitialState();
    const r1 = m.searchSync(s, { visits: 3000 });
    const a = r1.action;
    // Visits below `a` in the first search, per reply.
    const child = r1.candidates.find((c) => c.action === a)!;
    m.advance(a);
    s.applyAction(a);
    const r2 = m.searchSync(s, { visits: 500 });
    expect(r2.simulations).toBe(500);
    // The child's visits minus the one that expanded it are now the root's children's, plus 500.
    expect(r2.totalVisits).toBe(child.visits - 1 + 500);
    // Both players' moves advance the tree; a position other than the kept one starts afresh.
    const b = r2.action;
    m.advance(b);
    s.applyAction(b);
    expect(m.searchSync(s, { visits: 10 }).totalVisits).toBeGreaterThan(10);
    const other = c4.newInitialState();
    other.applyAction(0);
    expect(m.searchSync(other, { visits: 10 }).totalVisits).toBe(10);
    // Without reuse every search starts from nothing.
    const fresh = new MCTS(c4, { seed: 1, evaluator: new UniformEvaluator(), reuseTree: false });
    const t = c4.newInitialState();
    fresh.searchSync(t, { visits: 300 });
    fresh.advance(3);
    t.applyAction(3);
    expect(fresh.searchSync(t, { visits: 300 }).totalVisits).toBe(300);
  });

  it('rejects an illegal advance without changing the tree', () => {
    const m = new MCTS(c4, { seed: 1 });
    const s = connect4FromMoves('444444');
    const before = m.searchSync(s, { visits: 200 });
    expect(() => m.advance(3)).toThrow(/full/);
    const after = m.searchSync(s, { visits: 100 });
    expect(after.totalVisits).toBe(before.totalVisits + 100);
  });

  it('gives identical searches for identical seeds across reuse and reset', () => {
    const play = (): number[] => {
      const m = new MCTS(ttt, { seed: 9, dirichletEpsilon: 0.25, evaluator: new UniformEvaluator() });
      const s = ttt.newInitialState();
      const out: number[] = [];
      const rng = new Rng(9);
      while (!s.isTerminal()) {
        const r = m.searchSync(s, { visits: 200 });
        const a = selectAction(r, temperatureFor(s.history().length, 4), rng);
        out.push(a, r.totalVisits);
        m.advance(a);
        s.applyAction(a);
      }
      m.reset();
      return out;
    };
    expect(play()).toEqual(play());
  });
});

describe('move selection with temperature', () => {
  const fake = (visits: number[]): SearchResult => {
    const v = Float32Array.from(visits);
    const total = visits.reduce((a, b) => a + b, 0);
    return { action: visits.indexOf(Math.max(...visits)), visits: v, policy: v.map((x) => x / total), rootValue: 0, totalVisits: total, simulations: total, resign: false, candidates: [], elapsedMs: 0 };
  };
  it('samples in proportion to visits at tau = 1 and picks the argmax as tau -> 0', () => {
    const r = fake([10, 0, 30, 60]);
    const rng = new Rng(1);
    const counts = [0, 0, 0, 0];
    const n = 20000;
    for (let i = 0; i < n; i++) counts[selectAction(r, 1, rng)]!++;
    expect(counts[1]).toBe(0);
    // 4-sigma bands of the binomial counts.
    for (const [a, p] of [[0, 0.1], [2, 0.3], [3, 0.6]] as const) expect(Math.abs(counts[a]! - n * p)).toBeLessThan(4 * Math.sqrt(n * p * (1 - p)));
    for (let i = 0; i < 100; i++) expect(selectAction(r, 0, rng)).toBe(3);
    // tau = 0.5 squares the visits: 100 : 900 : 3600.
    const c2 = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) c2[selectAction(r, 0.5, rng)]!++;
    expect(Math.abs(c2[3]! / n - 3600 / 4600)).toBeLessThan(0.02);
    // A very small tau still works (no overflow) and is nearly argmax.
    for (let i = 0; i < 100; i++) expect(selectAction(r, 0.01, rng)).toBe(3);
    expect(() => selectAction(r, -1, rng)).toThrow(/temperature/);
    expect(temperatureFor(0, 30)).toBe(1);
    expect(temperatureFor(30, 30)).toBe(0);
  });
});

describe('MCTS-solver', () => {
  it('proves a forced win and plays it', () => {
    // Red can make an open three on the bottom row (columns 3,4,5 free on both sides): win in 3 plies.
    const s = connect4FromMoves('4757');
    for (const evaluator of [undefined, new UniformEvaluator()]) {
      const m = new MCTS(c4, { seed: 1, evaluator });
      const r = m.searchSync(s, { visits: 20000 });
      expect(r.proven).toBe('win');
      expect(r.rootValue).toBe(1);
      expect(r.simulations).toBeLessThan(20000);
      const best = r.candidates.find((c) => c.action === r.action)!;
      expect(best.proven).toBe('win');
      expect([2, 5]).toContain(r.action);
    }
  });

  it('proves losses and draws in tic-tac-toe, and avoids moves proven lost', () => {
    const lost = ttt.deserialize('tictactoe:4,1,0') as TicTacToeState; // O to move cannot hold
    expect(tictactoeValue(lost)).toBe(-1);
    const r = new MCTS(ttt, { seed: 1 }).searchSync(lost, { visits: 50000 });
    expect(r.proven).toBe('loss');
    expect(r.rootValue).toBe(-1);
    const drawn = ttt.deserialize('tictactoe:4,0,8,2') as TicTacToeState; // X must block at 1
    expect(tictactoeValue(drawn)).toBe(0);
    const d = new MCTS(ttt, { seed: 1 }).searchSync(drawn, { visits: 50000 });
    expect(d.action).toBe(1);
    expect(d.proven).toBe('draw');
    for (const c of d.candidates) if (c.action !== 1) expect([c.proven, c.visits > 0]).toEqual(['loss', true]);
    // Sampling with temperature never plays a move proven lost while a safe one exists.
    const rng = new Rng(3);
    for (let i = 0; i < 200; i++) expect(selectAction(d, 1, rng)).toBe(1);
  });
});
