/**
 * tengen: the whole library from one import.
 *
 *   import { make, makeGame, MCTS, PPO } from 'tengen';
 *   import { nets, alphazero, players, go, sequence, vision } from 'tengen';   // the larger modules as namespaces
 *
 * Each module also has its own entry point (tengen/env, tengen/agents, tengen/mcts, tengen/nets,
 * tengen/go, tengen/alphazero, tengen/sequence, tengen/vision); import those to load less.
 *
 * @module tengen
 */
import './nets/start-backend.ts'; // starts the tensor backend as the package loads (see there)
export * from './env/index.ts';
export * from './agents/index.ts';
export type { TransitionTable } from './env/index.ts'; // the same shape as the DP solvers' table
export * from './mcts/index.ts';
export { Rng } from './util/rng.ts';
export { UserError, IllegalMoveError } from './util/errors.ts';
export * as nets from './nets/index.ts';
export * as go from './env/games/go/index.ts';
export * as alphazero from './agents/alphazero/index.ts';
export * as players from './players/index.ts';
export * as sequence from './sequence/index.ts';
export * as vision from './vision/index.ts';
