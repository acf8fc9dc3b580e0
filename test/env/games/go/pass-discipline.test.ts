/**
 * Go's play-time pass discipline (GoState.playTimeMove): no pass while points are open or while
 * passing back would lose the count, never filling an own eye, and the agents that play matches use it.
 */
import { describe, expect, it } from 'vitest';
import { makeGame } from '../../../../src/env/games/index.ts';
import '../../../../src/env/games/go/register.ts';
import { parseVertex, type GoGame, type GoState } from '../../../../src/env/games/go/rules.ts';
import { playMatch } from '../../../../src/players/match.ts';
import { netPlayer } from '../../../../src/players/net.ts';
import { randomPlayer } from '../../../../src/players/simple.ts';
import type { Evaluator, State } from '../../../../src/env/games/game.ts';

const v = (s: string): number => parseVertex(5, s);
const all = (cols: string, rows: number[]): string[] => [...cols].flatMap((c) => rows.map((r) => `${c}${r}`));

/** Black owns columns a-c (eyes a1, a3), White d-e (eyes e1, e3); `open` points are left empty. */
function position(komi: number, open: string[] = []): GoState {
  const game = makeGame('go', { size: 5, komi });
  const s = game.newInitialState() as GoState;
  const black = all('abc', [1, 2, 3, 4, 5]).filter((p) => !['a1', 'a3', ...open].includes(p));
  const white = all('de', [1, 2, 3, 4, 5]).filter((p) => !['e1', 'e3', ...open].includes(p));
  s.setup(black.map(v), white.map(v), 0);
  return s;
}

describe('Go pass discipline at play time', () => {
  it('keeps playing while a point is open, skipping own-eye fills, and leaves other choices alone', () => {
    const s = position(0.5, ['c3', 'd3']);
    const pass = s.game.pass;
    expect(s.playTimeMove(pass, [v('a1'), pass, v('c3')])).toBe(v('c3')); // a1 is Black's own eye
    expect(s.playTimeMove(v('d3'), [pass])).toBe(v('d3'));
    // Nothing ranked that may be played: the first legal open point.
    expect([v('c3'), v('d3')]).toContain(s.playTimeMove(pass, [pass, v('a1')]));
  });

  it('after the opponent passes: passes back when that wins the count, plays on when it loses', () => {
    const losing = position(0.5, ['c3', 'd3']); // Black 14, White 9: White behind
    losing.applyAction(losing.game.pass);
    expect(losing.exitValue()).toBe(-1);
    const m = losing.playTimeMove(losing.game.pass, [losing.game.pass]);
    expect([v('c3'), v('d3')]).toContain(m);
    const winning = position(10.5, ['c3', 'd3']); // komi 10.5: White ahead
    winning.applyAction(winning.game.pass);
    expect(winning.exitValue()).toBe(1);
    expect(winning.playTimeMove(winning.game.pass, [v('c3')])).toBe(winning.game.pass);
  });

  it('passes when only own-eye fills (or suicides) are left', () => {
    const s = position(0.5);
    expect(s.playTimeMove(s.game.pass, [v('a1'), v('a3')])).toBe(s.game.pass);
    s.applyAction(s.game.pass);
    expect(s.exitValue()).toBe(-1); // White loses the count but has only its own eyes left
    expect(s.playTimeMove(s.game.pass, [])).toBe(s.game.pass);
  });

  it('a net agent whose prior is nearly all on pass passes only to end a won count or when nothing is left', async () => {
    // Prior: nearly all on pass; value: the present Tromp-Taylor count for the player to move.
    const game = makeGame('go', { size: 5, komi: 0.5 }) as GoGame;
    const evaluator: Evaluator = {
      evaluate: async (states: State[]) => ({
        policy: states.map(() => {
          const p = new Float32Array(game.numActions).fill(0.01);
          p[game.pass] = 1;
          return p;
        }),
        value: Float32Array.from(states.map((st) => {
          const sc = (st as GoState).score();
          return Math.tanh(((st.currentPlayer() === 0 ? 1 : -1) * sc) / 5);
        })),
      }),
    };
    const agent = netPlayer(game, evaluator, { simulations: 16, cPuct: 1.5, mctsBatchSize: 4, virtualLoss: 1, temperatureMoves: 0 });
    const r = await playMatch(game, agent, randomPlayer(), 6, 11, 2);
    let agentPasses = 0;
    for (const g of r.games) {
      // Every pass of the agent either answered a pass and won the count, or had nothing but own eyes left to fill.
      const s = game.newInitialState() as GoState;
      for (const a of g.moves) {
        if (s.currentPlayer() === g.aPlayer && a === game.pass) {
          agentPasses++;
          const own = g.aPlayer === 0 ? 1 : 2;
          const open = s.legalActions().filter((m) => m !== game.pass && !s.board.isEye(s.board.fromAction(m), own));
          expect(s.consecutivePasses() === 1 && s.exitValue()! > 0 || open.length === 0).toBe(true);
        }
        s.applyAction(a);
      }
    }
    expect(agentPasses).toBeGreaterThan(0);
  });
});
