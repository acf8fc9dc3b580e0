/**
 * The Go engine as a Player (src/players): visits are playouts; the analysis carries the search's
 * win rates (as values in -1..1), visits and principal variations, the expected score lead and the
 * ownership of every point, all from the player to move's point of view.
 */
import type { State } from '../env/games/game.ts';
import type { GoState } from '../env/games/go/rules.ts';
import type { Analysis, MoveDecision, MoveRequest, Player } from '../players/player.ts';
import { GoEngine, type EngineOptions } from './engine.ts';
import type { SearchSummary } from './search.ts';

function analysis(s: SearchSummary, state: GoState): Analysis {
  // The search counts for Black; the Player contract speaks for the player to move.
  const sign = state.nextColor() === 0 ? 1 : -1;
  const best = s.moves[0];
  return {
    candidates: s.moves.map((m) => ({ action: m.action, visits: m.visits, q: 2 * m.winrate - 1, prior: m.prior, pv: m.pv })),
    rootValue: best ? 2 * best.winrate - 1 : 0,
    totalVisits: s.rootVisits,
    scoreLead: sign * s.scoreMean,
    ownership: sign === 1 ? s.ownership : s.ownership.map((x) => -x),
  };
}

export class MonteCarloPlayer implements Player {
  readonly name = 'tengen Monte Carlo Go engine';
  readonly engine: GoEngine;
  constructor(options: EngineOptions) {
    this.engine = new GoEngine(options);
  }

  async chooseMove(position: State, req: MoveRequest = {}): Promise<MoveDecision> {
    const state = position as GoState;
    const onAnalysis = req.onAnalysis;
    const r = await this.engine.genmove(state, {
      playouts: req.budget?.visits, timeMs: req.budget?.timeMs, shouldStop: req.shouldStop, progressIntervalMs: req.analysisIntervalMs,
      onProgress: onAnalysis ? (s) => onAnalysis(analysis(s, state)) : undefined,
    });
    return { action: r.action, resign: r.resign, analysis: analysis(r.summary, state) };
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}
