/**
 * tengen/players: everything that picks a move in play, behind one Player interface.
 *
 * ```ts
 * const game = makeGame('connect4');
 * const net = await loadGameNet('models/connect4', game);
 * const player = searchPlayer(game, { evaluator: net.evaluator, budget: { visits: 800 } })(seed);
 * const { action, analysis } = await player.chooseMove(state, { onAnalysis: (a) => show(a) });
 * player.observe(action);
 * const m = await playMatch(game, netPlayer(game, ev, opts), solverPlayer(game), 20, 1);
 * ```
 */
export type { Analysis, Candidate, MoveDecision, MoveRequest, Player, PlayerFactory, PlayerOptions, SearchBudget } from './player.ts';
export { searchPlayer, policyPlayer, uctPlayer, analysisOf, describeBudget, DEFAULT_VISITS, type SearchPlayerOptions } from './search.ts';
export { randomPlayer, solverPlayer, hasSolver } from './simple.ts';
export { netPlayer, openNet, checkNetFits, loadGameNet, type NetPlayerOptions, type GameNet } from './net.ts';
export { gtpEnginePlayer } from './gtp-engine.ts';
export { LeePlayer, type LeePlayerOptions } from './lee.ts';
export { perVariantPlayer } from './per-variant.ts';
export { goEnginePlayer, analysisOfSummary, type GoEnginePlayerOptions } from './go-engine.ts';
export { parsePlayerSpec, type PlayerSpecOptions, type NamedPlayer } from './spec.ts';
export { playMatch, playMatchGames, summarizeMatch, type MatchGame, type MatchResult } from './match.ts';
