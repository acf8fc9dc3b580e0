/**
 * Monte Carlo tree search for every Game: UCT with random rollouts, PUCT with an Evaluator,
 * MCTS-solver, root noise, tree reuse, virtual-loss batching and a batching evaluator shared by
 * concurrent searches.
 *
 * ```ts
 * const game = makeGame('connect4');
 * const mcts = new MCTS(game, { seed: 1 });                        // UCT + rollouts
 * const r = await mcts.search(state, { visits: 10_000 });          // or { timeMs: 500 }
 * r.action; r.rootValue; r.policy; r.candidates[0].pv;
 * mcts.advance(r.action);                                          // keep the subtree
 *
 * // AlphaZero self-play: 32 games share one net call per round of leaves.
 * const shared = new BatchingEvaluator(netEvaluator);
 * const searches = games.map((g, i) => new MCTS(game, { seed: i, evaluator: shared, batchSize: 8,
 *   dirichletEpsilon: 0.25, solver: false }));
 * const a = selectAction(result, temperatureFor(ply, 30), rng);
 * ```
 *
 * @module tengen/mcts
 */
export { MCTS, selectAction, temperatureFor } from './mcts.ts';
export { DEFAULT_MCTS_OPTIONS, resolveMctsOptions } from './options.ts';
export { UniformEvaluator, RolloutEvaluator, randomRollout, type RolloutEvaluatorOptions } from './evaluators.ts';
export { BatchingEvaluator, batched, type BatchingEvaluatorOptions, type BatchingStats } from './batching.ts';
export { isSyncEvaluator } from './types.ts';
export type { Candidate, Fpu, MctsOptions, MctsStats, SearchLimits, SearchProgress, SearchResult, SyncEvaluator } from './types.ts';
