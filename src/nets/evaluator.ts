/**
 * NetEvaluator: a policy-value model (src/nets/policy-value.ts) as a search Evaluator on tfjs.
 * Stacks State.observation(player to move) into one batch, runs the net once inside tf.tidy, masks
 * the illegal actions and renormalises the policy over the legal ones, and returns the value for the
 * player to move.
 *
 * The masking and stacking helpers here are shared with the ONNX evaluator.
 */
import { tf } from './backend.ts';
import type { Evaluator, Game, State } from '../env/games/game.ts';
import { policyValueShapes, predictPolicyValue, type PolicyValueBatch, type PolicyValueShapes } from './policy-value.ts';

/** An Evaluator backed by a net, with raw batch access. */
export interface NetworkEvaluator extends Evaluator {
  /** 'tfjs-<backend>' or 'onnxruntime' (with '+N symmetries' when averaged over board symmetries). */
  readonly kind: string;
  /** The net's input shape, action count and policy output kind. */
  readonly shapes: PolicyValueShapes;
  /** Raw outputs for n observations laid out back to back (channels-last): policy as the net gives it. */
  predictBatch(obs: Float32Array, n: number): Promise<PolicyValueBatch>;
  /** Free what the evaluator holds (not the tfjs model, which the caller owns). */
  dispose(): Promise<void> | void;
}

/** Check that a model fits a game (same observation shape and action count). */
export function checkModelFitsGame(game: Game, shapes: PolicyValueShapes): void {
  const [r, c, p] = game.observationShape;
  const [mr, mc, mp] = shapes.inputShape;
  if (r !== mr || c !== mc || p !== mp || shapes.numActions !== game.numActions) {
    throw new Error(
      `net does not fit game '${game.name}': net takes ${mr}x${mc}x${mp} planes and gives ${shapes.numActions} actions, ` +
        `the game has ${r}x${c}x${p} observations and ${game.numActions} actions`,
    );
  }
}

/** Observations of the players to move, back to back. Throws on an empty batch or a finished game. */
export function stackObservations(game: Game, states: readonly State[]): Float32Array {
  const per = game.observationShape[0] * game.observationShape[1] * game.observationShape[2];
  const out = new Float32Array(states.length * per);
  states.forEach((s, i) => {
    const p = s.currentPlayer();
    if (p !== 0 && p !== 1) throw new Error(`evaluate: state ${i} is terminal; only positions with a player to move can be evaluated`);
    const o = s.observation(p);
    if (o.length !== per) throw new Error(`evaluate: state ${i} gave ${o.length} floats, expected ${per} (${game.observationShape.join('x')})`);
    out.set(o, i * per);
  });
  return out;
}

/**
 * The prior over actions for one state: row `i` of `raw` (logits, or probabilities when
 * `isProbabilities`) restricted to the legal actions and renormalised. Illegal actions get exactly 0.
 * If the net puts no mass on any legal action, the prior is uniform over them.
 */
export function maskedPolicy(raw: Float32Array, i: number, numActions: number, mask: Uint8Array, isProbabilities: boolean): Float32Array {
  const out = new Float32Array(numActions);
  const base = i * numActions;
  let sum = 0;
  if (isProbabilities) {
    for (let a = 0; a < numActions; a++) if (mask[a]) sum += out[a] = Math.max(0, raw[base + a]!);
  } else {
    let max = -Infinity;
    for (let a = 0; a < numActions; a++) if (mask[a] && raw[base + a]! > max) max = raw[base + a]!;
    if (max > -Infinity) for (let a = 0; a < numActions; a++) if (mask[a]) sum += out[a] = Math.exp(raw[base + a]! - max);
  }
  if (sum > 0 && Number.isFinite(sum)) {
    for (let a = 0; a < numActions; a++) out[a]! /= sum;
  } else {
    let legal = 0;
    for (let a = 0; a < numActions; a++) legal += mask[a] ? 1 : 0;
    for (let a = 0; a < numActions; a++) out[a] = mask[a] && legal ? 1 / legal : 0;
  }
  return out;
}

/** Turn raw batch outputs into the Evaluator result for `states`. */
export function toEvaluation(
  states: readonly State[],
  raw: PolicyValueBatch,
  numActions: number,
  isProbabilities: boolean,
): { policy: Float32Array[]; value: Float32Array } {
  const policy = states.map((s, i) => maskedPolicy(raw.policy, i, numActions, s.legalMask(), isProbabilities));
  return { policy, value: Float32Array.from(raw.value.subarray(0, states.length)) };
}

/** Evaluate states in batches of at most maxBatch with a raw batch predictor. */
export async function evaluateInChunks(
  game: Game,
  states: readonly State[],
  maxBatch: number,
  shapes: PolicyValueShapes,
  predict: (obs: Float32Array, n: number) => Promise<PolicyValueBatch>,
): Promise<{ policy: Float32Array[]; value: Float32Array }> {
  const policy: Float32Array[] = [];
  const value = new Float32Array(states.length);
  for (let start = 0; start < states.length; start += maxBatch) {
    const chunk = states.slice(start, start + maxBatch);
    const raw = await predict(stackObservations(game, chunk), chunk.length);
    const ev = toEvaluation(chunk, raw, shapes.numActions, shapes.policyIsProbabilities);
    policy.push(...ev.policy);
    value.set(ev.value, start);
  }
  return { policy, value };
}

export interface NetEvaluatorOptions {
  /** Largest batch sent to the net at once (default 1024); bigger requests are split. */
  maxBatch?: number;
}

/** A tfjs policy-value model as an Evaluator. The model stays owned by the caller. */
export class NetEvaluator implements NetworkEvaluator {
  readonly shapes: PolicyValueShapes;
  private readonly maxBatch: number;

  constructor(
    readonly game: Game,
    readonly model: tf.LayersModel,
    opts: NetEvaluatorOptions = {},
  ) {
    this.shapes = policyValueShapes(model);
    checkModelFitsGame(game, this.shapes);
    this.maxBatch = opts.maxBatch ?? 1024;
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1) throw new RangeError(`NetEvaluator: maxBatch must be a positive integer, got ${opts.maxBatch}`);
  }

  get kind(): string {
    return `tfjs-${tf.getBackend()}`;
  }

  predictBatch(obs: Float32Array, n: number): Promise<PolicyValueBatch> {
    return predictPolicyValue(this.model, obs, n);
  }

  evaluate(states: State[]): Promise<{ policy: Float32Array[]; value: Float32Array }> {
    return evaluateInChunks(this.game, states, this.maxBatch, this.shapes, (obs, n) => this.predictBatch(obs, n));
  }

  dispose(): void {}
}
