/**
 * Tree-search players: PUCT guided by an evaluator (a net), or UCT with random rollouts without
 * one, and the raw policy of a net (no search). Every command that plays with a search builds it
 * here, and the game's play-time rule (State.playTimeMove: Go's pass discipline) is applied here,
 * once, to whatever move the search picks.
 */
import type { Evaluator, Game, State } from '../env/games/game.ts';
import { MCTS, selectAction } from '../mcts/mcts.ts';
import type { MctsOptions, SearchProgress, SearchResult } from '../mcts/types.ts';
import { Rng } from '../util/rng.ts';
import type { Analysis, MoveDecision, MoveRequest, PlayerFactory, PlayerOptions } from './player.ts';

/** Visits per move when neither the player's budget nor the request names one. */
export const DEFAULT_VISITS = 800;

export interface SearchPlayerOptions extends PlayerOptions {
  /** Shown to people; default 'PUCT <budget> + net' or 'MCTS <budget> (random rollouts)'. */
  name?: string;
  /** Leaf evaluator (PUCT); absent: UCT with random rollouts. */
  evaluator?: Evaluator;
  /**
   * Search settings (cPuct, batchSize, virtualLoss, fpu, solver, replay, resignThreshold...). The
   * seed comes from the factory; reuseTree defaults to true (the tree follows observe()).
   */
  mcts?: Partial<Omit<MctsOptions, 'seed' | 'evaluator'>>;
  /** Opening moves sampled in proportion to visits (repeated games differ); later moves: the most visited. Default 0. */
  temperatureMoves?: number;
}

/** Name a budget for people: '800 visits', '2 s'. */
export function describeBudget(b: { visits?: number; timeMs?: number }): string {
  if (b.timeMs !== undefined) return `${b.timeMs / 1000} s`;
  return `${b.visits ?? DEFAULT_VISITS} visits`;
}

/** The root of a search result or progress report as an Analysis. */
export function analysisOf(r: SearchResult | SearchProgress): Analysis {
  return { candidates: r.candidates, rootValue: r.rootValue, totalVisits: r.totalVisits };
}

/** The move a player makes at play time when the search chose `choice`: the game's play-time rule, if it has one. */
function playTimeMove(state: State, choice: number, ranked: readonly number[]): number {
  return state.playTimeMove ? state.playTimeMove(choice, ranked) : choice;
}

/** MCTS as a Player: PUCT with `evaluator`, else UCT with random rollouts. */
export function searchPlayer(game: Game, o: SearchPlayerOptions = {}): PlayerFactory {
  const budget = o.budget ?? {};
  const name = o.name ?? (o.evaluator ? `PUCT ${describeBudget(budget)} + net` : `MCTS ${describeBudget(budget)} (random rollouts)`);
  return (seed) => {
    const rng = new Rng(seed);
    const mcts = new MCTS(game, { reuseTree: true, ...o.mcts, seed: rng.nextUint32(), ...(o.evaluator ? { evaluator: o.evaluator } : {}) });
    let ply = 0;
    return {
      name,
      async chooseMove(state: State, req: MoveRequest = {}): Promise<MoveDecision> {
        const b = req.budget ?? budget;
        const onAnalysis = req.onAnalysis;
        const r = await mcts.search(state, {
          visits: b.visits ?? (b.timeMs === undefined ? DEFAULT_VISITS : undefined),
          timeMs: b.timeMs,
          progressIntervalMs: req.analysisIntervalMs ?? 100,
          shouldStop: req.shouldStop,
          onProgress: onAnalysis ? (p) => onAnalysis(analysisOf(p)) : undefined,
        });
        const choice = selectAction(r, ply < (o.temperatureMoves ?? 0) ? 1 : 0, rng);
        return { action: playTimeMove(state, choice, r.candidates.map((c) => c.action)), resign: r.resign, analysis: analysisOf(r) };
      },
      observe(action: number): void {
        ply++;
        mcts.advance(action);
      },
      reset(): void {
        ply = 0;
        mcts.reset();
      },
    };
  };
}

/**
 * A net's raw policy as a Player, without search: its most likely legal move (sampled in
 * proportion to the policy for the first `temperatureMoves` moves).
 */
export function policyPlayer(game: Game, evaluator: Evaluator, o: { name?: string; temperatureMoves?: number } = {}): PlayerFactory {
  return (seed) => {
    const rng = new Rng(seed);
    let ply = 0;
    return {
      name: o.name ?? 'raw policy',
      async chooseMove(state: State): Promise<MoveDecision> {
        const { policy, value } = await evaluator.evaluate([state]);
        const p = policy[0]!;
        const legal = state.legalActions();
        const ranked = [...legal].sort((x, y) => p[y]! - p[x]!);
        const analysis: Analysis = {
          candidates: ranked.slice(0, 10).map((a) => ({ action: a, visits: 0, q: value[0]!, prior: p[a]!, pv: [a] })),
          rootValue: value[0]!,
          totalVisits: 0,
        };
        if (ply < (o.temperatureMoves ?? 0)) return { action: legal[rng.categorical(legal.map((a) => p[a]! + 1e-9))]!, resign: false, analysis };
        let best = legal[0]!;
        for (const a of legal) if (p[a]! > p[best]!) best = a;
        return { action: playTimeMove(state, best, ranked), resign: false, analysis };
      },
      observe: () => void ply++,
      reset: () => void (ply = 0),
    };
  };
}

/** Pure UCT with random rollouts, `rollouts` simulations per move (the yardstick `mcts:N`). */
export function uctPlayer(game: Game, rollouts: number): PlayerFactory {
  return searchPlayer(game, { name: `mcts:${rollouts}`, budget: { visits: rollouts } });
}
