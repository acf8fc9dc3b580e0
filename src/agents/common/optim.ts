/**
 * Adam and RMSprop as PyTorch defines them (the numbers RL Zoo's hyperparameters were tuned for),
 * with global-norm gradient clipping and a learning rate passed per step (for schedules).
 * Their state lives in tf.Variables and round-trips through `getState`/`setState` for checkpoints.
 */
import { tf } from './tf.ts';
import { readVars, writeVars } from './mlp.ts';

export interface OptimizerState {
  t: number;
  slots: Float32Array[];
}

export type OptimizerKind = 'adam' | 'rmsprop';

export class Optimizer {
  readonly kind: OptimizerKind;
  private params: tf.Variable[];
  private m: tf.Variable[];
  private v: tf.Variable[];
  private t = 0;
  private eps: number;
  /** Adam: beta1, beta2. RMSprop: alpha (smoothing) as beta2. */
  private beta1: number;
  private beta2: number;

  constructor(params: tf.Variable[], kind: OptimizerKind, opts: { eps?: number; beta1?: number; beta2?: number; alpha?: number } = {}) {
    this.kind = kind;
    this.params = params;
    this.eps = opts.eps ?? (kind === 'adam' ? 1e-8 : 1e-5);
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = kind === 'adam' ? (opts.beta2 ?? 0.999) : (opts.alpha ?? 0.99);
    this.m = params.map((p) => tf.variable(tf.zerosLike(p), false));
    this.v = params.map((p) => tf.variable(tf.zerosLike(p), false));
  }

  /**
   * Apply one update from gradients (same order as params). Clips to `maxGradNorm` (global L2
   * norm) when given. Returns the gradient norm before clipping.
   */
  step(grads: tf.Tensor[], lr: number, maxGradNorm?: number): number {
    this.t++;
    const t = this.t;
    return tf.tidy(() => {
      const sq = grads.map((g) => tf.sum(tf.square(g)));
      const norm = tf.sqrt(tf.addN(sq));
      const normVal = norm.dataSync()[0]!;
      let gs = grads;
      if (maxGradNorm !== undefined && maxGradNorm > 0) {
        const scale = Math.min(1, maxGradNorm / (normVal + 1e-6));
        if (scale < 1) gs = grads.map((g) => tf.mul(g, scale));
      }
      for (let i = 0; i < this.params.length; i++) {
        const g = gs[i]!;
        const p = this.params[i]!;
        if (this.kind === 'adam') {
          const m = tf.add(tf.mul(this.m[i]!, this.beta1), tf.mul(g, 1 - this.beta1));
          const v = tf.add(tf.mul(this.v[i]!, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
          this.m[i]!.assign(m);
          this.v[i]!.assign(v);
          const bc1 = 1 - Math.pow(this.beta1, t);
          const bc2 = 1 - Math.pow(this.beta2, t);
          const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), this.eps);
          p.assign(tf.sub(p, tf.mul(tf.div(m, denom), lr / bc1)));
        } else {
          const v = tf.add(tf.mul(this.v[i]!, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
          this.v[i]!.assign(v);
          p.assign(tf.sub(p, tf.mul(tf.div(g, tf.add(tf.sqrt(v), this.eps)), lr)));
        }
      }
      return normVal;
    });
  }

  getState(): OptimizerState {
    return { t: this.t, slots: [...readVars(this.m), ...readVars(this.v)] };
  }

  setState(s: OptimizerState): void {
    const n = this.params.length;
    if (s.slots.length !== 2 * n) throw new Error(`optimizer checkpoint has ${s.slots.length} slots, expected ${2 * n}`);
    writeVars(this.m, s.slots.slice(0, n), 'optimizer');
    writeVars(this.v, s.slots.slice(n), 'optimizer');
    this.t = s.t;
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
  }
}
