/**
 * State.exitValue floors a learned value (Go: after a pass, the player to move can pass back and end
 * the game on the present count), so a net that misjudges the count cannot make a losing pass look safe.
 */
import { describe, expect, it } from 'vitest';
import { makeGame, type Evaluator, type State } from '../../src/env/games/index.ts';
import '../../src/env/games/go/register.ts';
import { MCTS } from '../../src/mcts/index.ts';
import type { SyncEvaluator } from '../../src/mcts/types.ts';

describe('exit values', () => {
  it('Go: after a pass, the player to move can end the game on the Tromp-Taylor count', () => {
    const go = makeGame('go', { size: 5, komi: 7.5 });
    const s = go.newInitialState();
    expect(s.exitValue?.()).toBeNull();
    const pass = 25;
    s.applyAction(pass);
    expect(s.exitValue?.()).toBe(1); // White to move, ahead by komi on an empty board
    s.applyAction(12);
    expect(s.exitValue?.()).toBeNull(); // the last move was not a pass
    s.applyAction(pass);
    expect(s.exitValue?.()).toBe(1); // Black to move; White's centre stone owns the board
    s.applyAction(pass);
    expect(s.isTerminal()).toBe(true);
    expect(s.exitValue?.()).toBeNull();
    const reverse = makeGame('go', { size: 5, komi: -7.5 }).newInitialState();
    reverse.applyAction(pass);
    expect(reverse.exitValue?.()).toBe(-1); // White to move, behind by the (negative) komi
    expect(makeGame('connect4').newInitialState().exitValue).toBeUndefined();
  });

  // A net that likes passing and thinks every position is lost for the player to move: Black's pass
  // then looks like a win (White "loses" the position after it) unless White's exit, passing back to
  // win on komi, is counted.
  const go = makeGame('go', { size: 5, komi: 7.5 });
  const pass = 25;
  const prior = (s: State): Float32Array => {
    const p = new Float32Array(go.numActions);
    for (const a of s.legalActions()) p[a] = a === pass ? 0.5 : 0.5 / 25;
    return p;
  };
  const asyncEval: Evaluator = {
    evaluate: async (states: State[]) => ({ policy: states.map(prior), value: new Float32Array(states.length).fill(-1) }),
  };
  const syncEval: SyncEvaluator = {
    ...asyncEval,
    evaluateSync: (s: State, out: Float32Array) => {
      out.set(prior(s));
      return -1;
    },
  };
  for (const [name, evaluator] of [['async', asyncEval], ['sync', syncEval]] as const) {
    it(`MCTS (${name} evaluator) does not pass into a lost count however the net values it`, async () => {
      // The first simulation takes the pass (the largest prior): its value for Black is White's exit.
      const first = await new MCTS(go, { evaluator, seed: 1, batchSize: 1 }).search(go.newInitialState(), { visits: 1 });
      expect(first.candidates.find((c) => c.action === pass)?.q).toBe(-1);
      // A few more and the search has left the pass for moves the net values (wrongly) as wins.
      const r = await new MCTS(go, { evaluator, seed: 1, batchSize: 1 }).search(go.newInitialState(), { visits: 10 });
      expect(r.action).not.toBe(pass);
      expect(r.candidates.find((c) => c.action === pass)?.visits).toBe(1);
    });
  }
});
