/**
 * OnnxEvaluator: a policy-value model run by onnxruntime-node (CPU) as a search Evaluator. The tfjs
 * model is exported to ONNX in memory (src/nets/onnx-export.ts, batch norm folded into the convs);
 * after its weights change (a training step, a new best net), call `refresh()` to rebuild the session.
 *
 * Same results as NetEvaluator (within float rounding), several times faster on CPU.
 */
import type { tf } from './backend.ts';
import type { InferenceSession as OrtSession } from 'onnxruntime-node';
import type { Game, State } from '../env/games/game.ts';
import { toOnnxBytes, onnxOutputNames } from './onnx-export.ts';
import { policyValueShapes, type PolicyValueBatch, type PolicyValueShapes } from './policy-value.ts';
import { checkModelFitsGame, evaluateInChunks, type NetworkEvaluator } from './evaluator.ts';

/** @internal onnxruntime-node is an optional dependency: its types stay out of the published .d.ts. */
type Ort = typeof import('onnxruntime-node');

let ortPromise: Promise<Ort> | undefined;
/**
 * Load onnxruntime-node once; rejects (with the loader's reason) where it is not installed or its
 * native binary is unusable.
 * @internal
 */
export function loadOnnxRuntime(): Promise<Ort> {
  ortPromise ??= import('onnxruntime-node').then((m) => ((m as { default?: Ort }).default ?? m) as Ort);
  return ortPromise;
}

export interface OnnxEvaluatorOptions {
  /** Threads inside one operator (default 1: on a shared CPU one thread per evaluator measured fastest, and self-play parallelises across workers). */
  intraOpNumThreads?: number;
  /** Largest batch sent at once (default 1024). */
  maxBatch?: number;
}

export class OnnxEvaluator implements NetworkEvaluator {
  readonly kind = 'onnxruntime';
  readonly shapes: PolicyValueShapes;
  private session: OrtSession | null = null;
  /** Runs in flight per session, so a replaced session is released only once they have finished. */
  private readonly running = new Map<OrtSession, Set<Promise<unknown>>>();
  private readonly outNames: [string, string];
  private readonly maxBatch: number;

  private constructor(
    readonly game: Game,
    private model: tf.LayersModel,
    private readonly ort: Ort,
    private readonly opts: OnnxEvaluatorOptions,
  ) {
    this.shapes = policyValueShapes(model);
    checkModelFitsGame(game, this.shapes);
    const names = onnxOutputNames(model);
    this.outNames = [names[0]!, names[1]!];
    this.maxBatch = opts.maxBatch ?? 1024;
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1) throw new RangeError(`OnnxEvaluator: maxBatch must be a positive integer, got ${opts.maxBatch}`);
  }

  /** Export `model` and open an onnxruntime session on it. */
  static async create(game: Game, model: tf.LayersModel, opts: OnnxEvaluatorOptions = {}): Promise<OnnxEvaluator> {
    const ev = new OnnxEvaluator(game, model, await loadOnnxRuntime(), opts);
    await ev.refresh();
    return ev;
  }

  /**
   * Re-export the weights (of `model`, or of the current model when omitted; it must have the same
   * shapes) and swap in a new session. Evaluations already running finish on the old session.
   */
  async refresh(model?: tf.LayersModel): Promise<void> {
    if (model) {
      checkModelFitsGame(this.game, policyValueShapes(model));
      this.model = model;
    }
    const session = await this.ort.InferenceSession.create(toOnnxBytes(this.model), {
      intraOpNumThreads: this.opts.intraOpNumThreads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    const old = this.session;
    this.session = session;
    this.running.set(session, new Set());
    if (old) await this.retire(old);
  }

  /** Release a session once the runs started on it have settled. */
  private async retire(session: OrtSession): Promise<void> {
    const runs = this.running.get(session);
    if (runs?.size) await Promise.allSettled([...runs]);
    this.running.delete(session);
    await session.release();
  }

  async predictBatch(obs: Float32Array, n: number): Promise<PolicyValueBatch> {
    if (!this.session) throw new Error('OnnxEvaluator: used after dispose()');
    const [r, c, p] = this.shapes.inputShape;
    if (!Number.isInteger(n) || n < 1) throw new Error(`predictBatch: batch size must be a positive integer, got ${n}`);
    if (obs.length !== n * r * c * p) throw new Error(`predictBatch: expected ${n} x ${r}x${c}x${p} = ${n * r * c * p} floats, got ${obs.length}`);
    const input = new this.ort.Tensor('float32', obs, [n, r, c, p]);
    const session = this.session;
    const run = session.run({ planes: input });
    const runs = this.running.get(session)!;
    runs.add(run);
    let out: Awaited<typeof run>;
    try {
      out = await run;
    } finally {
      runs.delete(run);
    }
    const policy = out[this.outNames[0]]!.data as Float32Array;
    const value = out[this.outNames[1]]!.data as Float32Array;
    return { policy, value };
  }

  evaluate(states: State[]): Promise<{ policy: Float32Array[]; value: Float32Array }> {
    return evaluateInChunks(this.game, states, this.maxBatch, this.shapes, (obs, n) => this.predictBatch(obs, n));
  }

  /** Release the session (after the runs in flight). The tfjs model stays the caller's. */
  async dispose(): Promise<void> {
    const s = this.session;
    this.session = null;
    if (s) await this.retire(s);
  }
}
