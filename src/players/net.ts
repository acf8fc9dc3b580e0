/**
 * Players that play with a trained net: loading the net a `--model` flag or a `checkpoint:DIR`
 * names (checked against the game), and PUCT with that net as evaluation matches play it.
 */
import type { Evaluator, Game } from '../env/games/game.ts';
import type { Fpu } from '../mcts/types.ts';
import { UserError } from '../util/errors.ts';
import { findNetDir, loadNet, type LoadedNet } from '../agents/alphazero/net.ts';
import type { NetworkEvaluator } from '../nets/evaluator.ts';
import type { PlayerFactory } from './player.ts';
import { policyPlayer, searchPlayer } from './search.ts';

/** How a net plays in matches (evaluation, gating, strength yardsticks, arena, cluster match jobs). */
export interface NetPlayerOptions {
  /** Simulations per move; 0 plays the raw policy's top move without search. */
  simulations: number;
  cPuct: number;
  mctsBatchSize: number;
  virtualLoss: number;
  /** Opening moves sampled in proportion to visits (so repeated games differ); then argmax. */
  temperatureMoves: number;
  /** First-play urgency of unvisited children (MctsOptions.fpu); default 0. */
  fpu?: Fpu;
}

/** PUCT guided by `evaluator` (a net), without root noise, keeping its tree between moves. */
export function netPlayer(game: Game, evaluator: Evaluator, o: NetPlayerOptions, name?: string): PlayerFactory {
  if (o.simulations === 0) return policyPlayer(game, evaluator, { temperatureMoves: o.temperatureMoves, ...(name ? { name } : {}) });
  return searchPlayer(game, {
    evaluator, budget: { visits: o.simulations }, temperatureMoves: o.temperatureMoves, ...(name ? { name } : {}),
    mcts: { cPuct: o.cPuct, batchSize: o.mctsBatchSize, virtualLoss: o.virtualLoss, reuseTree: true, ...(o.fpu !== undefined ? { fpu: o.fpu } : {}) },
  });
}

/**
 * Load the net in `dir` (a net directory, a selfplay run directory or a checkpoint) on the chosen
 * backend, for `--model` flags: a clear UserError when there is none or it does not load.
 */
export async function openNet(dir: string, backend?: string): Promise<{ dir: string; net: LoadedNet }> {
  const found = findNetDir(dir);
  if (found === null) throw new UserError(`--model ${dir}: no net there (expected model.json in it, or a selfplay run directory with checkpoint/best)`);
  const { initBackend } = await import('../nets/backend.ts');
  await initBackend({ backend, quiet: true });
  return { dir: found, net: await loadNet(found) };
}

/** Refuse a net whose input or action count does not fit the game, naming both. */
export function checkNetFits(inputShape: readonly number[], numActions: number, game: Game, dir: string): void {
  const want = game.observationShape;
  if (inputShape.length !== 3 || inputShape.some((d, i) => d !== want[i]) || numActions !== game.numActions) {
    throw new UserError(`the net in ${dir} is for input [${inputShape.join(',')}] and ${numActions} actions; ${game.name} needs [${want.join(',')}] and ${game.numActions}`);
  }
}

/** A net for a game, ready to evaluate: the fastest evaluator here (onnxruntime where it loads, else tfjs). */
export interface GameNet {
  /** The directory the net was loaded from. */
  dir: string;
  evaluator: NetworkEvaluator;
  /** Free the evaluator and the model. */
  dispose(): void;
}

/** Load the net `dir` names for `game` (checked to fit it) with the fastest evaluator here, as self-play and the benches evaluate. */
export async function loadGameNet(dir: string, game: Game, backend?: string): Promise<GameNet> {
  const { createBestEvaluator } = await import('../nets/best-evaluator.ts');
  const { dir: found, net } = await openNet(dir, backend);
  try {
    checkNetFits(net.spec.inputShape, net.spec.numActions, game, found);
    const evaluator = await createBestEvaluator(game, net.model);
    return {
      dir: found,
      evaluator,
      dispose: () => {
        void evaluator.dispose();
        net.model.dispose();
      },
    };
  } catch (e) {
    net.model.dispose();
    throw e;
  }
}
