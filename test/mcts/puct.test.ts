import { describe, expect, it } from 'vitest';
import { makeGame, type State, type TicTacToeState } from '../../src/env/games/index.ts';
import { connect4FromMoves } from '../../src/env/games/connect4.ts';
import { tictactoeValue } from '../../src/env/solvers/tictactoe.ts';
import { MCTS, RolloutEvaluator, UniformEvaluator, type MctsOptions } from '../../src/mcts/index.ts';

const ttt = makeGame('tictactoe');
const c4 = makeGame('connect4');

/** Play `mcts` as the side to move from `s` against every reply; check that it always wins. */
function winsAgainstEveryReply(opts: Partial<MctsOptions>, s: TicTacToeState, visits: number): number {
  const me = s.currentPlayer();
  let games = 0;
  const walk = (st: TicTacToeState): void => {
    const r = new MCTS(ttt, opts).searchSync(st, { visits });
    const next = st.clone();
    next.applyAction(r.action);
    expect(next.isTerminal() || tictactoeValue(next) === -1, `after ${next.history().join(',')}`).toBe(true);
    if (next.isTerminal()) {
      expect(next.returns()[me as 0 | 1]).toBe(1);
      games++;
      return;
    }
    for (const reply of next.legalActions()) {
      const after = next.clone();
      after.applyAction(reply);
      if (after.isTerminal()) throw new Error(`the opponent ended the game with ${after.history().join(',')}`);
      walk(after);
    }
  };
  walk(s);
  return games;
}

describe('PUCT', () => {
  it('with a uniform evaluator plays a won tic-tac-toe position perfectly against every reply', () => {
    // X took the centre and O answered on an edge: a win for X.
    const s = ttt.deserialize('tictactoe:4,1') as TicTacToeState;
    expect(tictactoeValue(s)).toBe(1);
    for (const solver of [true, false]) {
      const games = winsAgainstEveryReply({ seed: 1, evaluator: new UniformEvaluator(), solver }, s, 3000);
      expect(games).toBeGreaterThanOrEqual(7);
    }
  });

  const cases: { name: string; opts: Partial<MctsOptions> }[] = [
    { name: 'UCT', opts: {} },
    { name: 'PUCT + uniform', opts: { evaluator: new UniformEvaluator() } },
    { name: 'PUCT + rollouts, no solver', opts: { evaluator: new RolloutEvaluator({ seed: 1 }), solver: false } },
  ];
  for (const { name, opts } of cases) {
    it(`${name} finds immediate wins and blocks immediate losses in Connect Four`, () => {
      // Red (first player) has three on the bottom row, columns 1-3; column 4 wins.
      const win = connect4FromMoves('17273');
      win.applyAction(6);
      const r1 = new MCTS(c4, { seed: 1, ...opts }).searchSync(win, { visits: 1000 });
      expect(r1.action).toBe(3);
      expect(r1.rootValue).toBeGreaterThan(0.5);
      // Yellow to move must block column 4.
      const block = connect4FromMoves('17273');
      const r2 = new MCTS(c4, { seed: 1, ...opts }).searchSync(block, { visits: 2000 });
      expect(r2.action).toBe(3);
      // Same on a vertical threat: Red has three stacked in column 5.
      const vert = connect4FromMoves('515151');
      const r3 = new MCTS(c4, { seed: 2, ...opts }).searchSync(vert, { visits: 1000 });
      expect(r3.action).toBe(4);
      vert.applyAction(0);
      const r4 = new MCTS(c4, { seed: 2, ...opts }).searchSync(vert, { visits: 1000 });
      expect(r4.action).toBe(4);
    });
  }

  it('mixes Dirichlet noise into the root priors with the given epsilon', () => {
    const s = c4.newInitialState();
    const priors = (o: Partial<MctsOptions>): number[] => {
      const r = new MCTS(c4, { evaluator: new UniformEvaluator(), ...o }).searchSync(s, { visits: 50 });
      return r.candidates.sort((a, b) => a.action - b.action).map((c) => c.prior);
    };
    const clean = priors({ seed: 1 });
    for (const p of clean) expect(p).toBeCloseTo(1 / 7, 6);
    const eps = 0.25;
    const noisy = priors({ seed: 1, dirichletEpsilon: eps });
    expect(noisy.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    for (const p of noisy) {
      expect(p).toBeGreaterThanOrEqual((1 - eps) / 7 - 1e-6);
      expect(p).toBeLessThanOrEqual((1 - eps) / 7 + eps + 1e-6);
    }
    expect(Math.max(...noisy) - Math.min(...noisy)).toBeGreaterThan(0.01);
    // The noise is seeded: same seed, same noise; another seed, other noise.
    expect(priors({ seed: 1, dirichletEpsilon: eps })).toEqual(noisy);
    expect(priors({ seed: 2, dirichletEpsilon: eps })).not.toEqual(noisy);
    // A small alpha concentrates the noise on few moves (default alpha = 10/7 spreads it).
    const spiky = priors({ seed: 3, dirichletEpsilon: 1, dirichletAlpha: 0.03 });
    expect(Math.max(...spiky)).toBeGreaterThan(0.8);
  });

  it('honours the first-play urgency and the growing c_puct', () => {
    const s = ttt.newInitialState();
    const run = (o: Partial<MctsOptions>) => new MCTS(ttt, { seed: 1, evaluator: new RolloutEvaluator({ seed: 1 }), ...o }).searchSync(s, { visits: 60 });
    // FPU -1 treats unvisited moves as lost: the search stays narrow. FPU +1 tries every move first.
    const narrow = run({ fpu: -1 });
    const wide = run({ fpu: 1 });
    const tried = (r: ReturnType<typeof run>) => r.candidates.filter((c) => c.visits > 0).length;
    expect(tried(wide)).toBe(9);
    expect(tried(narrow)).toBeLessThan(tried(wide));
    const reduced = run({ fpu: { reduction: 0.5 } });
    expect(tried(reduced)).toBeGreaterThan(0);
    // A larger exploration constant spreads the visits: the top move gets a smaller share.
    const growth = run({ cPuctGrowth: true, cPuctBase: 10 });
    const plain = run({});
    expect(growth.candidates[0]!.visits).toBeLessThan(plain.candidates[0]!.visits);
    expect(() => new MCTS(ttt, { fpu: { reduce: 1 } as never })).toThrow(/fpu must be a finite number or \{ reduction: number \}/);
  });

  it('reports resign when the root value is below the threshold', () => {
    // Yellow to move cannot stop both threats (Red has an open three on the bottom row).
    const lost: State = connect4FromMoves('4757');
    lost.applyAction(2);
    const r = new MCTS(c4, { seed: 1, resignThreshold: -0.9 }).searchSync(lost, { visits: 4000 });
    expect(r.rootValue).toBeLessThan(-0.9);
    expect(r.resign).toBe(true);
    const fresh = new MCTS(c4, { seed: 1, resignThreshold: -0.9 }).searchSync(c4.newInitialState(), { visits: 500 });
    expect(fresh.resign).toBe(false);
    expect(new MCTS(c4, { seed: 1 }).searchSync(lost, { visits: 500 }).resign).toBe(false);
  });
});
