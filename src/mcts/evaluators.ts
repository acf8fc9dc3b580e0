/**
 * Evaluators that need no net: a uniform one (prior uniform over legal moves, value 0: it measures
 * what the tree itself costs) and a rollout one (uniform prior, value from random playouts).
 * Both answer synchronously too (SyncEvaluator), so MCTS skips the promise per simulation.
 */
import type { State } from '../env/games/game.ts';
import { Rng } from '../util/rng.ts';
import { UserError } from '../util/errors.ts';
import type { SyncEvaluator } from './types.ts';

/**
 * Play one random game from `state` to the end and return the final returns, leaving `state`
 * unchanged. Uses the game's own playout policy (State.rollout) when it has one, else uniform
 * random legal moves on a clone.
 */
export function randomRollout(state: State, rng: Rng): [number, number] {
  if (state.rollout) return state.rollout(rng);
  const s = state.clone();
  const limit = s.game.maxGameLength * 4 + 16;
  for (let i = 0; !s.isTerminal(); i++) {
    if (i > limit) throw new Error(`${s.game.name}: random rollout did not end after ${limit} moves`);
    const legal = s.legalActions();
    s.applyAction(legal[legal.length === 1 ? 0 : rng.int(legal.length)]!);
  }
  return s.returns();
}

/** Uniform prior over all actions (the search keeps only legal ones), value 0. */
export class UniformEvaluator implements SyncEvaluator {
  evaluateSync(_state: State, policyOut: Float32Array): number {
    policyOut.fill(1);
    return 0;
  }

  async evaluate(states: State[]): Promise<{ policy: Float32Array[]; value: Float32Array }> {
    const policy: Float32Array[] = [];
    for (const s of states) policy.push(uniformPolicy(s));
    return { policy, value: new Float32Array(states.length) };
  }
}

export interface RolloutEvaluatorOptions {
  /** Random playouts per position, averaged. Default 1. */
  rollouts?: number;
  seed?: number;
}

/** Uniform prior; value = mean outcome of `rollouts` random playouts, for the player to move. */
export class RolloutEvaluator implements SyncEvaluator {
  readonly rollouts: number;
  private readonly rng: Rng;

  constructor(opts: RolloutEvaluatorOptions = {}) {
    const n = opts.rollouts ?? 1;
    if (!Number.isInteger(n) || n < 1) throw new UserError(`RolloutEvaluator: rollouts must be an integer >= 1, got ${n}`);
    this.rollouts = n;
    this.rng = new Rng(opts.seed ?? 0);
  }

  evaluateSync(state: State, policyOut: Float32Array): number {
    policyOut.fill(1);
    return this.value(state);
  }

  async evaluate(states: State[]): Promise<{ policy: Float32Array[]; value: Float32Array }> {
    const policy: Float32Array[] = [];
    const value = new Float32Array(states.length);
    for (let i = 0; i < states.length; i++) {
      policy.push(uniformPolicy(states[i]!));
      value[i] = this.value(states[i]!);
    }
    return { policy, value };
  }

  private value(state: State): number {
    const p = state.currentPlayer();
    if (p !== 0 && p !== 1) return 0;
    let sum = 0;
    for (let i = 0; i < this.rollouts; i++) sum += randomRollout(state, this.rng)[p];
    return sum / this.rollouts;
  }
}

function uniformPolicy(s: State): Float32Array {
  const out = new Float32Array(s.game.numActions);
  const legal = s.legalActions();
  for (const a of legal) out[a] = 1 / legal.length;
  return out;
}
