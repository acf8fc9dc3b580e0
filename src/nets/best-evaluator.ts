/**
 * Pick the fastest evaluator available for a policy-value model: onnxruntime-node where its native
 * binary loads and the model exports to ONNX, else the tfjs NetEvaluator on the current backend.
 */
import { isMainThread } from 'node:worker_threads';
import type { tf } from './backend.ts';
import type { Game } from '../env/games/game.ts';
import { NetEvaluator, type NetworkEvaluator } from './evaluator.ts';
import { OnnxEvaluator, type OnnxEvaluatorOptions } from './onnx-evaluator.ts';

export interface BestEvaluator {
  evaluator: NetworkEvaluator;
  /** Why onnxruntime was not used (absent when it was). */
  fallbackReason?: string;
}

export interface BestEvaluatorOptions extends OnnxEvaluatorOptions {
  /** 'auto' (default): onnxruntime if usable; 'onnxruntime': fail if not; 'tfjs': never onnxruntime. */
  prefer?: 'auto' | 'onnxruntime' | 'tfjs';
}

/**
 * The fastest evaluator for `model` on this machine. With an OnnxEvaluator, call
 * `(evaluator as OnnxEvaluator).refresh()` after the model's weights change; a NetEvaluator reads the
 * live weights.
 */
export async function createBestEvaluatorWithReason(game: Game, model: tf.LayersModel, opts: BestEvaluatorOptions = {}): Promise<BestEvaluator> {
  const prefer = opts.prefer ?? 'auto';
  if (prefer !== 'tfjs') {
    try {
      return { evaluator: await OnnxEvaluator.create(game, model, opts) };
    } catch (e) {
      if (prefer === 'onnxruntime') throw e;
      const reason = e instanceof Error ? e.message : String(e);
      noteMissingOnnxRuntime(reason);
      return { evaluator: new NetEvaluator(game, model, opts), fallbackReason: reason };
    }
  }
  return { evaluator: new NetEvaluator(game, model, opts), fallbackReason: 'tfjs requested' };
}

let notedMissing = false;

/**
 * onnxruntime-node is an optional dependency: npm leaves it out where its install script cannot
 * download (it fetches CUDA libraries from nuget.org on Linux x64). Say so once per process, in one
 * line, so the slower tfjs path is not a mystery; other fallbacks (a net that does not export to
 * ONNX) stay quiet, as callers report them.
 */
function noteMissingOnnxRuntime(reason: string): void {
  if (notedMissing || !isMainThread || !/Cannot find (package|module) 'onnxruntime-node'/.test(reason)) return;
  notedMissing = true;
  process.stderr.write('tengen: onnxruntime-node is not installed (npm skips it where its install cannot reach nuget.org); nets run on tfjs\n');
}

/** `createBestEvaluatorWithReason` without the reason. */
export async function createBestEvaluator(game: Game, model: tf.LayersModel, opts: BestEvaluatorOptions = {}): Promise<NetworkEvaluator> {
  return (await createBestEvaluatorWithReason(game, model, opts)).evaluator;
}
