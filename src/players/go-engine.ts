/**
 * The Monte-Carlo Go engine (src/go-engine: heavy playouts, RAVE, prior knowledge, root-parallel
 * threads) as a Player. A budget's visits are playouts; without a budget the engine's default for
 * the board size. The analysis carries win rates, score leads per move and the ownership map (from
 * the player to move's view), which GTP's kata-analyze, final_status_list and final_score use.
 */
import type { State } from '../env/games/game.ts';
import { GoState } from '../env/games/go/rules.ts';
import { GoEngine } from '../go-engine/engine.ts';
import type { SearchConfig, SearchSummary } from '../go-engine/search.ts';
import { UserError } from '../util/errors.ts';
import type { Analysis, MoveDecision, MoveRequest, Player, PlayerFactory, PlayerOptions } from './player.ts';

export interface GoEnginePlayerOptions extends PlayerOptions {
  /** Search threads, the calling one included. Default 1. */
  threads?: number;
  /** Resign below this win rate (0..1); null never. Default 0.05. */
  resignWinrate?: number | null;
  /** Overrides of the search settings (src/go-engine/search.ts). */
  search?: Partial<SearchConfig>;
  name?: string;
}

/** A search summary as an Analysis for the player to move (`black`: is Black to move). */
export function analysisOfSummary(s: SearchSummary, black: boolean): Analysis {
  const best = s.moves[0];
  const ownership = new Float32Array(s.ownership.length);
  for (let i = 0; i < ownership.length; i++) ownership[i] = black ? s.ownership[i]! : -s.ownership[i]!;
  return {
    candidates: s.moves.map((m) => ({ action: m.action, visits: m.visits, q: 2 * m.winrate - 1, prior: m.prior, pv: m.pv, scoreLead: m.scoreLead })),
    rootValue: best ? 2 * best.winrate - 1 : 0,
    totalVisits: s.rootVisits,
    scoreLead: best ? best.scoreLead : (black ? s.scoreMean : -s.scoreMean),
    ownership,
  };
}

export function goEnginePlayer(o: GoEnginePlayerOptions = {}): PlayerFactory {
  return (seed) => {
    const engine = new GoEngine({ seed, threads: o.threads ?? 1, resignWinrate: o.resignWinrate === undefined ? 0.05 : o.resignWinrate, playouts: o.budget?.visits, search: o.search });
    const player: Player = {
      name: o.name ?? `tengen Go engine${o.threads && o.threads > 1 ? `, ${o.threads} threads` : ''}`,
      async chooseMove(state: State, req: MoveRequest = {}): Promise<MoveDecision> {
        if (!(state instanceof GoState)) throw new UserError(`the Go engine plays Go only, not ${state.game.name}`);
        const budget = req.budget ?? o.budget ?? {};
        const black = state.nextColor() === 0;
        const onAnalysis = req.onAnalysis;
        const r = await engine.genmove(state, {
          playouts: budget.visits, timeMs: budget.timeMs, shouldStop: req.shouldStop, progressIntervalMs: req.analysisIntervalMs,
          onProgress: onAnalysis ? (s) => onAnalysis(analysisOfSummary(s, black)) : undefined,
        });
        return { action: r.action, resign: r.resign, analysis: analysisOfSummary(r.summary, black) };
      },
      close: () => engine.close(),
    };
    return player;
  };
}
