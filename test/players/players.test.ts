/**
 * The Player contract as play, gtp, arena and bestmove use it: search players stream their analysis
 * and stop when asked, apply Go's pass discipline whichever command built them, and one player
 * follows GTP's board-size changes.
 */
import { describe, expect, it } from 'vitest';
import { makeGame } from '../../src/env/games/index.ts';
import '../../src/env/games/go/register.ts';
import { parseVertex, type GoState } from '../../src/env/games/go/rules.ts';
import type { Evaluator, Game, State } from '../../src/env/games/game.ts';
import { searchPlayer } from '../../src/players/search.ts';
import { perVariantPlayer } from '../../src/players/per-variant.ts';
import type { Analysis, Player } from '../../src/players/player.ts';
import { playAgentWith } from '../../src/commands/play.ts';
import { UserError } from '../../src/util/errors.ts';

const v = (s: string): number => parseVertex(5, s);

/** 5x5: Black owns columns a-c (eyes a1, a3), White d-e (eyes e1, e3); c3 and d3 are left open. Black to move. */
function openPosition(): GoState {
  const s = makeGame('go', { size: 5, komi: 0.5 }).newInitialState() as GoState;
  const cells = (cols: string, skip: string[]): number[] => [...cols].flatMap((c) => [1, 2, 3, 4, 5].map((r) => `${c}${r}`)).filter((p) => !skip.includes(p)).map(v);
  s.setup(cells('abc', ['a1', 'a3', 'c3']), cells('de', ['e1', 'e3', 'd3']), 0);
  return s;
}

/** A prior almost all on pass, and a value that says passing is fine. */
const passLover = (game: Game): Evaluator => ({
  evaluate: async (states: State[]) => ({
    policy: states.map(() => {
      const p = new Float32Array(game.numActions).fill(0.001);
      p[(game as { pass?: number }).pass ?? 0] = 1;
      return p;
    }),
    value: new Float32Array(states.length).fill(0.5),
  }),
});

describe('search players', () => {
  it('never pass on Go while a point is open, for the net players of gtp and arena and the UCT player of play and bestmove', async () => {
    const s = openPosition();
    const game = s.game;
    const net = searchPlayer(game, { evaluator: passLover(game), budget: { visits: 32 } })(1);
    const pucts = await net.chooseMove(s);
    expect(pucts.analysis!.candidates[0]!.action).toBe(game.pass); // the search itself wants to pass
    expect([v('c3'), v('d3')]).toContain(pucts.action);
    for (let seed = 0; seed < 4; seed++) {
      const uct = searchPlayer(game, { budget: { visits: 200 } })(seed);
      expect([v('c3'), v('d3')]).toContain((await uct.chooseMove(s)).action);
    }
    // `tengen play`'s agent, with a net that wants to pass.
    const agent = playAgentWith(game, passLover(game), { visits: 32 }, 'pass lover');
    expect([v('c3'), v('d3')]).toContain((await agent.chooseMove(s)).action);
  });

  it('stream their analysis while thinking, most visited first, and stop early when asked', async () => {
    const game = makeGame('connect4');
    const player = searchPlayer(game, { budget: { visits: 400 } })(3);
    const seen: Analysis[] = [];
    const d = await player.chooseMove(game.newInitialState(), { onAnalysis: (a) => seen.push(a), analysisIntervalMs: 1 });
    expect(seen.length).toBeGreaterThan(1);
    const last = seen[seen.length - 1]!;
    expect(last.totalVisits).toBe(400);
    const visits = last.candidates.map((c) => c.visits);
    expect(visits).toEqual([...visits].sort((a, b) => b - a));
    expect(d.analysis!.totalVisits).toBe(400);
    expect(d.resign).toBe(false);
    // A stop request ends a search that was given a budget far beyond it.
    const t0 = Date.now();
    const stopAt = t0 + 150;
    const stopped = await searchPlayer(game, { budget: { visits: 10_000_000 } })(3).chooseMove(game.newInitialState(), { shouldStop: () => Date.now() > stopAt });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(stopped.analysis!.totalVisits).toBeLessThan(10_000_000);
    expect(game.newInitialState().legalActions()).toContain(stopped.action);
  });

  it('keep their tree along the moves they are told, and start afresh after reset', async () => {
    const game = makeGame('connect4');
    const player = searchPlayer(game, { budget: { visits: 300 } })(5);
    const s = game.newInitialState();
    const first = await player.chooseMove(s);
    s.applyAction(first.action);
    player.observe!(first.action);
    const reply = await player.chooseMove(s);
    expect(reply.analysis!.totalVisits).toBeGreaterThan(300); // the subtree below the first move was kept
    player.reset!();
    expect((await player.chooseMove(s)).analysis!.totalVisits).toBe(300);
  });
});

describe('perVariantPlayer (GTP boardsize)', () => {
  it('makes a player for each board size it is asked about, and tries again after a failed one', async () => {
    const made: number[] = [];
    const player: Player = perVariantPlayer('p', (game) => {
      const size = Number(game.params.size);
      made.push(size);
      if (size === 7 && made.filter((x) => x === 7).length === 1) throw new UserError('no net for 7x7');
      return searchPlayer(game, { budget: { visits: 8 } })(1);
    });
    const at = (size: number): State => makeGame('go', { size }).newInitialState();
    expect(at(5).legalActions()).toContain((await player.chooseMove(at(5))).action);
    await player.chooseMove(at(5));
    await expect(player.chooseMove(at(7))).rejects.toThrow(/no net for 7x7/);
    expect(at(7).legalActions()).toContain((await player.chooseMove(at(7))).action);
    expect(made).toEqual([5, 7, 7]);
    await player.close?.();
  });
});
