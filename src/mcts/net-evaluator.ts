/**
 * The bridge from a policy-value model to an Evaluator. A model (a tfjs net, an ONNX session, a
 * tabular stub) only has to map a batch of observations to policy logits and values; this class
 * builds the batch from State.observation(player to move), masks illegal moves and applies the
 * softmax. The nets helper provides PolicyValueModel implementations.
 */
import type { Evaluator, Game, State } from '../env/games/game.ts';

export interface PolicyValueModel {
  /**
   * `input` holds `n` observations back to back (each of length product(game.observationShape),
   * channels-last, from the player to move's point of view). Returns policy logits, n * numActions,
   * and values in [-1, 1] for the player to move, length n.
   */
  predict(input: Float32Array, n: number): Promise<{ logits: Float32Array; value: Float32Array }>;
}

export class NetEvaluator implements Evaluator {
  private readonly obsSize: number;

  constructor(
    readonly game: Game,
    readonly model: PolicyValueModel,
  ) {
    const [h, w, c] = game.observationShape;
    this.obsSize = h * w * c;
  }

  async evaluate(states: State[]): Promise<{ policy: Float32Array[]; value: Float32Array }> {
    const n = states.length;
    const A = this.game.numActions;
    const input = new Float32Array(n * this.obsSize);
    for (let i = 0; i < n; i++) {
      const p = states[i]!.currentPlayer();
      input.set(states[i]!.observation(p === 1 ? 1 : 0), i * this.obsSize);
    }
    const { logits, value } = await this.model.predict(input, n);
    if (logits.length !== n * A || value.length !== n) {
      throw new Error(`NetEvaluator: model returned ${logits.length} logits and ${value.length} values for ${n} positions x ${A} actions`);
    }
    const policy: Float32Array[] = [];
    for (let i = 0; i < n; i++) policy.push(maskedSoftmax(logits.subarray(i * A, (i + 1) * A), states[i]!.legalMask()));
    return { policy, value: Float32Array.from(value) };
  }
}

/** Softmax over the legal entries of `logits` (mask 1), 0 elsewhere. */
export function maskedSoftmax(logits: Float32Array, mask: Uint8Array): Float32Array {
  const out = new Float32Array(logits.length);
  let max = -Infinity;
  for (let a = 0; a < logits.length; a++) if (mask[a] && logits[a]! > max) max = logits[a]!;
  if (max === -Infinity) return out;
  let sum = 0;
  for (let a = 0; a < logits.length; a++) {
    if (!mask[a]) continue;
    out[a] = Math.exp(logits[a]! - max);
    sum += out[a]!;
  }
  for (let a = 0; a < logits.length; a++) out[a]! /= sum;
  return out;
}
