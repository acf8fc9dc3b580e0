/** Symmetry averaging: a position and its mirror image get mirrored priors and the same value. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/nets/backend.ts';
import { buildResNetForGame } from '../../src/nets/resnet.ts';
import { NetEvaluator } from '../../src/nets/evaluator.ts';
import { SymmetryAveragedEvaluator } from '../../src/nets/symmetry-evaluator.ts';
import { makeGame } from '../../src/env/games/index.ts';
import type { Game, State } from '../../src/env/games/game.ts';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
});

function play(game: Game, moves: readonly number[]): State {
  const s = game.newInitialState();
  for (const m of moves) s.applyAction(m);
  return s;
}

describe('SymmetryAveragedEvaluator', () => {
  const game = makeGame('connect4');
  // An unsymmetric opening and its left-right mirror (column c <-> 6 - c).
  const moves = [3, 0, 1, 1, 5, 6, 2];
  const mirrored = moves.map((c) => 6 - c);

  it('gives a position and its mirror mirrored priors and equal values, where the raw net does not', async () => {
    const model = buildResNetForGame(game, { blocks: 1, filters: 8, seed: 3 });
    const raw = new NetEvaluator(game, model);
    const avg = new SymmetryAveragedEvaluator(game, raw);
    expect(avg.count).toBe(2);
    expect(avg.kind).toMatch(/\+2 symmetries$/);
    const states = [play(game, moves), play(game, mirrored)];
    const r = await raw.evaluate(states);
    const a = await avg.evaluate(states);
    // The untrained net is not symmetric by itself: the check below could fail.
    expect(Math.abs(r.value[0]! - r.value[1]!) + Math.max(...r.policy[0]!.map((p, c) => Math.abs(p - r.policy[1]![6 - c]!)))).toBeGreaterThan(1e-3);
    expect(a.value[0]).toBeCloseTo(a.value[1]!, 5);
    for (let c = 0; c < 7; c++) expect(a.policy[0]![c]).toBeCloseTo(a.policy[1]![6 - c]!, 5);
    // And it is the mean of the net's two views: the position itself and its mirror read back.
    for (let c = 0; c < 7; c++) expect(a.policy[0]![c]).toBeCloseTo((r.policy[0]![c]! + r.policy[1]![6 - c]!) / 2, 5);
    expect(a.value[0]).toBeCloseTo((r.value[0]! + r.value[1]!) / 2, 5);
    expect(a.policy[0]!.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
    model.dispose();
  });

  it('keeps illegal moves at zero prior and works on 8 symmetries of a square board', async () => {
    const ttt = makeGame('tictactoe');
    const model = buildResNetForGame(ttt, { blocks: 1, filters: 8, seed: 4 });
    const avg = new SymmetryAveragedEvaluator(ttt, new NetEvaluator(ttt, model));
    expect(avg.count).toBe(8);
    const s = play(ttt, [4, 0]);
    const { policy } = await avg.evaluate([s]);
    expect(policy[0]![4]).toBe(0);
    expect(policy[0]![0]).toBe(0);
    expect(policy[0]!.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
    // Corner 0 taken, centre taken: cells 8 and the other corners differ only by the diagonal mirror.
    expect(policy[0]![2]).toBeCloseTo(policy[0]![6]!, 5);
    expect(policy[0]![1]).toBeCloseTo(policy[0]![3]!, 5);
    model.dispose();
  });

  it('refuses a game without symmetries', () => {
    const fake = { ...game, name: 'nosym', symmetries: () => [] } as unknown as Game;
    const inner = { kind: 'x', shapes: { inputShape: [6, 7, 2], numActions: 7, policyIsProbabilities: false } } as unknown as NetEvaluator;
    expect(() => new SymmetryAveragedEvaluator(fake, inner)).toThrow(/no symmetries/);
  });
});
