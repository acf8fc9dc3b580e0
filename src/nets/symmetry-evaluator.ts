/**
 * Symmetry averaging at inference: each position is evaluated through every board symmetry of the
 * game (Connect Four: itself and its mirror; square boards: the 8 rotations and reflections) in one
 * batch, and the priors (mapped back to the position's own actions) and values are averaged. The
 * search sees one evaluation per leaf, with less of the net's noise in it; each leaf costs K net
 * rows instead of one. KataGo averages sampled symmetries the same way at the root
 * (rootNumSymmetriesToSample); AlphaGo Zero evaluated each position through one random symmetry.
 * Measured on the shipped Connect Four net's predecessor against UCT 1000: no change (+88 =1 -11 with
 * and without, bench/results/alphazero-connect4.md); it is an option, off everywhere by default.
 */
import type { Game, State, Symmetry } from '../env/games/game.ts';
import { evaluateInChunks, maskedPolicy, type NetworkEvaluator } from './evaluator.ts';
import type { PolicyValueBatch, PolicyValueShapes } from './policy-value.ts';

export interface SymmetryAveragedOptions {
  /** The symmetries to average over, identity first (default: all of game.symmetries()). */
  symmetries?: readonly Symmetry[];
  /** Most positions per net call (default 512; each becomes K rows). */
  maxBatch?: number;
}

export class SymmetryAveragedEvaluator implements NetworkEvaluator {
  readonly shapes: PolicyValueShapes;
  readonly kind: string;
  private readonly symmetries: readonly Symmetry[];
  private readonly maxBatch: number;
  /** actionImage[k][a]: the action of symmetry k's image position that is action a of the position. */
  private readonly actionImage: Int32Array[];
  /** Every action allowed: each view's prior over all actions (the search masks the illegal ones later). */
  private readonly allActions: Uint8Array;

  constructor(
    readonly game: Game,
    private readonly inner: NetworkEvaluator,
    opts: SymmetryAveragedOptions = {},
  ) {
    this.symmetries = opts.symmetries ?? game.symmetries?.() ?? [];
    if (this.symmetries.length === 0) throw new Error(`SymmetryAveragedEvaluator: ${game.name} has no symmetries to average over`);
    this.maxBatch = opts.maxBatch ?? 512;
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1) throw new RangeError(`SymmetryAveragedEvaluator: maxBatch must be a positive integer, got ${opts.maxBatch}`);
    // Averaged priors are probabilities whatever the net gives.
    this.shapes = { ...inner.shapes, policyIsProbabilities: true };
    this.kind = `${inner.kind}+${this.symmetries.length} symmetries`;
    const A = inner.shapes.numActions;
    this.actionImage = this.symmetries.map((s) => Int32Array.from({ length: A }, (_, a) => s.mapAction(a)));
    this.allActions = new Uint8Array(A).fill(1);
  }

  /** Number of symmetries averaged. */
  get count(): number {
    return this.symmetries.length;
  }

  async predictBatch(obs: Float32Array, n: number): Promise<PolicyValueBatch> {
    const K = this.symmetries.length;
    const per = obs.length / n;
    const A = this.shapes.numActions;
    if (!Number.isInteger(per) || n < 1) throw new Error(`predictBatch: ${obs.length} floats do not split into ${n} observations`);
    const all = new Float32Array(K * obs.length);
    for (let k = 0; k < K; k++) {
      const sym = this.symmetries[k]!;
      for (let i = 0; i < n; i++) all.set(k === 0 && sym.name === 'identity' ? obs.subarray(i * per, (i + 1) * per) : sym.mapObservation(obs.subarray(i * per, (i + 1) * per)), (k * n + i) * per);
    }
    const raw = await this.inner.predictBatch(all, K * n);
    const policy = new Float32Array(n * A);
    const value = new Float32Array(n);
    for (let k = 0; k < K; k++) {
      const image = this.actionImage[k]!;
      for (let i = 0; i < n; i++) {
        const probs = maskedPolicy(raw.policy, k * n + i, A, this.allActions, this.inner.shapes.policyIsProbabilities);
        const out = i * A;
        for (let a = 0; a < A; a++) policy[out + a]! += probs[image[a]!]! / K;
        value[i]! += raw.value[k * n + i]! / K;
      }
    }
    return { policy, value };
  }

  evaluate(states: State[]): Promise<{ policy: Float32Array[]; value: Float32Array }> {
    return evaluateInChunks(this.game, states, this.maxBatch, this.shapes, (obs, n) => this.predictBatch(obs, n));
  }

  dispose(): Promise<void> | void {
    return this.inner.dispose();
  }
}
