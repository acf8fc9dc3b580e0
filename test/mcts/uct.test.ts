import { describe, expect, it } from 'vitest';
import { makeGame, type TicTacToeState } from '../../src/env/games/index.ts';
import { tictactoeOptimalMoves, tictactoeValue } from '../../src/env/solvers/tictactoe.ts';
import { MCTS } from '../../src/mcts/index.ts';
import { Rng } from '../../src/util/rng.ts';
import { BonusNim, minimaxOptimal, minimaxValue } from './fixtures/bonus-nim.ts';

const ttt = makeGame('tictactoe');

function randomPosition(rng: Rng, maxMoves: number): TicTacToeState {
  for (;;) {
    const s = ttt.newInitialState() as TicTacToeState;
    const k = 1 + rng.int(maxMoves);
    for (let j = 0; j < k && !s.isTerminal(); j++) {
      const l = s.legalActions();
      s.applyAction(l[rng.int(l.length)]!);
    }
    if (!s.isTerminal()) return s;
  }
}

describe('UCT with random rollouts', () => {
  it('converges to the minimax value (draw) of the tic-tac-toe start position', () => {
    const early = new MCTS(ttt, { seed: 3 }).searchSync(ttt.newInitialState(), { visits: 5000 });
    const m = new MCTS(ttt, { seed: 3 });
    const r = m.searchSync(ttt.newInitialState(), { visits: 100000 });
    expect(r.simulations).toBe(100000);
    expect(r.totalVisits).toBe(100000);
    // The mean value approaches 0 (draw) as visits grow.
    expect(Math.abs(r.rootValue)).toBeLessThan(0.08);
    expect(Math.abs(r.rootValue)).toBeLessThan(Math.abs(early.rootValue));
    expect(r.proven).toBeUndefined();
    // Visits and policy agree, and the policy is a distribution over legal moves.
    const sum = r.policy.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 5);
    expect(r.candidates[0]!.action).toBe(r.action);
    expect(r.candidates[0]!.visits).toBe(Math.max(...r.visits));
  });

  it('matches the minimax solver on random mid-game tic-tac-toe positions', () => {
    const rng = new Rng(11);
    for (let i = 0; i < 25; i++) {
      const s = randomPosition(rng, 6);
      const m = new MCTS(ttt, { seed: i });
      const r = m.searchSync(s, { visits: 8000 });
      const v = tictactoeValue(s);
      const where = `position ${s.history().join(',')}`;
      expect(tictactoeOptimalMoves(s), where).toContain(r.action);
      expect(Math.abs(r.rootValue - v), where).toBeLessThan(0.15);
      if (r.proven) expect(r.proven, where).toBe(v > 0 ? 'win' : v < 0 ? 'loss' : 'draw');
    }
  });

  it('handles games where a player can move twice in a row', () => {
    for (const pile of [5, 6, 7, 8, 9, 10]) {
      const g = new BonusNim(pile);
      const s = g.newInitialState();
      const v = minimaxValue(s);
      for (const solver of [true, false]) {
        const m = new MCTS(g, { seed: pile, solver });
        const r = m.searchSync(s, { visits: 4000 });
        const where = `pile ${pile}, solver ${solver}`;
        expect(minimaxOptimal(s), where).toContain(r.action);
        expect(Math.sign(Math.round(r.rootValue * 2)), where).toBe(v);
        if (solver) expect(r.proven, where).toBe(v > 0 ? 'win' : 'loss');
      }
    }
  });

  it('solves Othello 6x6 endgames (with passes) exactly', () => {
    const oth = makeGame('othello', { size: 6 });
    const rng = new Rng(21);
    let checked = 0;
    while (checked < 6) {
      const s = oth.newInitialState();
      while (!s.isTerminal() && s.history().length < 25) s.applyAction(s.legalActions()[rng.int(s.legalActions().length)]!);
      if (s.isTerminal()) continue;
      const v = minimaxValue(s);
      const r = new MCTS(oth, { seed: checked }).searchSync(s, { visits: 30000 });
      const where = oth.name + ' ' + s.serialize();
      expect(r.proven, where).toBe(v > 0 ? 'win' : v < 0 ? 'loss' : 'draw');
      expect(minimaxOptimal(s), where).toContain(r.action);
      checked++;
    }
  });

  it('gives the same result for the same seed and rejects bad input clearly', () => {
    const s = ttt.newInitialState();
    s.applyAction(4);
    const a = new MCTS(ttt, { seed: 5 }).searchSync(s, { visits: 2000 });
    const b = new MCTS(ttt, { seed: 5 }).searchSync(s, { visits: 2000 });
    expect(Array.from(b.visits)).toEqual(Array.from(a.visits));
    expect(b.rootValue).toBe(a.rootValue);
    expect(() => new MCTS(ttt, { cPuct: -1 })).toThrow(/cPuct must be a finite number >= 0, got -1/);
    expect(() => new MCTS(ttt, { batchSize: 0 })).toThrow(/batchSize must be an integer >= 1/);
    expect(() => new MCTS(ttt, { cpuct: 1 } as never)).toThrow(/unknown option 'cpuct'/);
    const over = ttt.deserialize('tictactoe:0,3,1,4,2');
    expect(() => new MCTS(ttt).searchSync(over)).toThrow(/terminal/);
    expect(() => new MCTS(ttt).searchSync(s, { visits: 0 })).toThrow(/visits must be an integer >= 1/);
    expect(() => new MCTS(ttt).searchSync(makeGame('connect4').newInitialState())).toThrow(/for tictactoe/);
  });

  it('gives the same search with clone replay as with undo replay', () => {
    const c4 = makeGame('connect4');
    const s = c4.newInitialState();
    s.applyAction(3);
    const a = new MCTS(c4, { seed: 4 }).searchSync(s, { visits: 3000 });
    const b = new MCTS(c4, { seed: 4, replay: 'clone' }).searchSync(s, { visits: 3000 });
    expect(Array.from(b.visits)).toEqual(Array.from(a.visits));
    // The searched state itself is never changed.
    expect(s.history()).toEqual([3]);
  });

  it('refuses a second search on the same MCTS while one runs', async () => {
    const c4 = makeGame('connect4');
    const m = new MCTS(c4, { seed: 1 });
    // The first search runs until told to stop (not for a fixed time: a loaded machine may be slow).
    let stop = false;
    const first = m.search(c4.newInitialState(), { timeMs: 30_000, shouldStop: () => stop });
    await expect(m.search(c4.newInitialState(), { visits: 10 })).rejects.toThrow(/already running/);
    expect(() => m.advance(3)).toThrow(/search is running/);
    stop = true;
    expect((await first).elapsedMs).toBeLessThan(30_000);
    expect((await m.search(c4.newInitialState(), { visits: 10 })).simulations).toBe(10);
  });

  it('keeps searching without growing past maxNodes', () => {
    const c4 = makeGame('connect4');
    const s = c4.deserialize('connect4:0,6,1,6,2'); // Yellow must block column 4
    const m = new MCTS(c4, { seed: 1, maxNodes: 1024 });
    const r = m.searchSync(s, { visits: 20000 });
    expect(r.simulations).toBe(20000);
    expect(m.stats.nodes).toBeLessThanOrEqual(1024);
    expect(m.stats.expansionsSkipped).toBeGreaterThan(0);
    expect(r.action).toBe(3);
  });

  it('respects a time limit', async () => {
    const c4 = makeGame('connect4');
    const m = new MCTS(c4, { seed: 1 });
    const t0 = performance.now();
    const r = await m.search(c4.newInitialState(), { timeMs: 150 });
    const dt = performance.now() - t0;
    expect(dt).toBeGreaterThanOrEqual(145);
    expect(dt).toBeLessThan(700);
    expect(r.simulations).toBeGreaterThan(100);
    // Whichever limit comes first wins.
    const r2 = await m.search(c4.newInitialState(), { timeMs: 10000, visits: 300 });
    expect(r2.simulations).toBe(300);
  });

  it('reports progress while searching', async () => {
    const c4 = makeGame('connect4');
    const seen: number[] = [];
    // Stop once three reports came (or after 30 s): the count does not depend on the machine's load.
    await new MCTS(c4, { seed: 2 }).search(c4.newInitialState(), { timeMs: 30_000, progressIntervalMs: 20, onProgress: (p) => seen.push(p.simulations), shouldStop: () => seen.length >= 3 });
    expect(seen.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
  });
});
