/**
 * The 'tfjs' engine of the actor-critic (./actor-critic.ts): policy and value MLPs as
 * tf.Variables, the losses as tfjs ops differentiated by tf.variableGrads, and the tfjs Optimizer
 * of ./optim.ts. It runs on whatever backend initBackend chose; it is what trains where
 * onnxruntime-node does not load, and the reference the onnxruntime engine is tested against.
 */
import { tf } from './tf.ts';
import { Mlp, readVars, writeVars } from './mlp.ts';
import { Optimizer, type OptimizerState } from './optim.ts';
import { type ActorCriticNet, type ActorCriticShape, type LossSpec, type LossStats, type OptimizerSpec, type TrainBatch, LOG_2PI } from './actor-critic.ts';

export class TfActorCriticNet implements ActorCriticNet {
  readonly pi: Mlp;
  readonly vf: Mlp;
  readonly logStdVar: tf.Variable | null;
  private readonly optimizer: Optimizer;

  constructor(
    private readonly s: ActorCriticShape,
    init: Float32Array[],
    opt: OptimizerSpec,
  ) {
    const layers = 2 * (s.netArch.length + 1);
    this.pi = new Mlp([s.obsDim, ...s.netArch, s.actDim], s.activation, init.slice(0, layers));
    this.vf = new Mlp([s.obsDim, ...s.netArch, 1], s.activation, init.slice(layers, 2 * layers));
    this.logStdVar = s.continuous ? tf.variable(tf.tensor1d(init[2 * layers]!)) : null;
    this.optimizer = new Optimizer(this.vars, opt.kind, opt.kind === 'rmsprop' ? { alpha: opt.alpha, eps: opt.eps } : { eps: opt.eps });
  }

  /** All trainable variables, in checkpoint order. */
  get vars(): tf.Variable[] {
    return [...this.pi.vars, ...this.vf.vars, ...(this.logStdVar ? [this.logStdVar] : [])];
  }

  forward(x: Float32Array, n: number, withValues: boolean): { out: Float32Array; values: Float32Array } {
    return tf.tidy(() => {
      const t = tf.tensor2d(x, [n, this.s.obsDim]);
      const out = this.pi.apply(t).dataSync() as Float32Array;
      const values = withValues ? (this.vf.apply(t).dataSync() as Float32Array) : new Float32Array(n);
      return { out, values };
    });
  }

  values(x: Float32Array, n: number): Float32Array {
    return tf.tidy(() => this.vf.apply(tf.tensor2d(x, [n, this.s.obsDim])).dataSync() as Float32Array).slice();
  }

  logStd(): Float32Array {
    return this.logStdVar ? (this.logStdVar.dataSync() as Float32Array) : new Float32Array(0);
  }

  /** Differentiable log pi(a|s), entropy and V(s) for a batch (call inside tf.tidy / grads). */
  evaluate(x: tf.Tensor2D, actions: tf.Tensor): { logProb: tf.Tensor1D; entropy: tf.Tensor1D; values: tf.Tensor1D } {
    const out = this.pi.apply(x);
    const values = tf.reshape(this.vf.apply(x), [-1]) as tf.Tensor1D;
    if (this.logStdVar) {
      const std = tf.exp(this.logStdVar);
      const z = tf.div(tf.sub(actions, out), std);
      const logProb = tf.sum(tf.sub(tf.mul(tf.square(z), -0.5), tf.add(this.logStdVar, 0.5 * LOG_2PI)), 1) as tf.Tensor1D;
      const entRow = tf.sum(tf.add(this.logStdVar, 0.5 + 0.5 * LOG_2PI));
      const entropy = tf.mul(tf.onesLike(logProb), entRow) as tf.Tensor1D;
      return { logProb, entropy, values };
    }
    const logp = tf.logSoftmax(out);
    const mask = tf.oneHot(tf.cast(actions, 'int32') as tf.Tensor1D, this.s.actDim);
    const logProb = tf.sum(tf.mul(logp, mask), 1) as tf.Tensor1D;
    const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1)) as tf.Tensor1D;
    return { logProb, entropy, values };
  }

  train(b: TrainBatch, loss: LossSpec, lr: number, maxGradNorm: number, withStats: boolean): LossStats {
    const { n } = b;
    const A = this.s.continuous ? this.s.actDim : 1;
    return tf.tidy(() => {
      const xt = tf.tensor2d(b.x, [n, this.s.obsDim]);
      const at = this.s.continuous ? tf.tensor2d(b.actions, [n, A]) : tf.tensor1d(b.actions);
      const advT = tf.tensor1d(b.advantages);
      const retT = tf.tensor1d(b.returns);
      const oldLogpT = loss.kind === 'ppo' ? tf.tensor1d(b.oldLogProbs!) : null;
      const oldVT = loss.kind === 'ppo' ? tf.tensor1d(b.oldValues!) : null;
      let parts: tf.Tensor[] = [];
      const vars = this.vars;
      const { grads } = tf.variableGrads(() => {
        const ev = this.evaluate(xt, at);
        let pgLoss: tf.Tensor;
        let vfLoss: tf.Tensor;
        let extra: tf.Tensor[] = [];
        if (loss.kind === 'ppo') {
          const { clip, clipVf } = loss;
          const logRatio = tf.sub(ev.logProb, oldLogpT!);
          const ratio = tf.exp(logRatio);
          pgLoss = tf.neg(tf.mean(tf.minimum(tf.mul(advT, ratio), tf.mul(advT, tf.clipByValue(ratio, 1 - clip, 1 + clip)))));
          const vPred = clipVf > 0 ? tf.add(oldVT!, tf.clipByValue(tf.sub(ev.values, oldVT!), -clipVf, clipVf)) : ev.values;
          vfLoss = tf.mean(tf.square(tf.sub(retT, vPred)));
          // approx KL (Schulman's k3 estimator) and clip fraction, as SB3 logs them.
          if (withStats) extra = [tf.mean(tf.sub(tf.sub(ratio, 1), logRatio)), tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), clip), 'float32'))];
        } else {
          pgLoss = tf.neg(tf.mean(tf.mul(advT, ev.logProb)));
          vfLoss = tf.mean(tf.square(tf.sub(retT, ev.values)));
        }
        const entLoss = tf.neg(tf.mean(ev.entropy));
        if (withStats) parts = [pgLoss, vfLoss, entLoss, ...extra].map((t) => tf.keep(t)); // outlive the gradient scope
        return tf.add(tf.add(pgLoss, tf.mul(entLoss, loss.entCoef)), tf.mul(vfLoss, loss.vfCoef)) as tf.Scalar;
      }, vars);
      this.optimizer.step(vars.map((v) => grads[v.name]!), lr, maxGradNorm);
      const v = parts.map((t) => t.dataSync()[0]!);
      parts.forEach((t) => t.dispose());
      return { policyLoss: v[0] ?? NaN, valueLoss: v[1] ?? NaN, entropyLoss: v[2] ?? NaN, approxKl: v[3] ?? NaN, clipFraction: v[4] ?? NaN };
    });
  }

  readAll(): Float32Array[] {
    return readVars(this.vars);
  }

  writeAll(values: Float32Array[], what: string): void {
    writeVars(this.vars, values, what);
  }

  getOptimizerState(): OptimizerState {
    return this.optimizer.getState();
  }

  setOptimizerState(s: OptimizerState): void {
    this.optimizer.setState(s);
  }

  dispose(): void {
    this.pi.dispose();
    this.vf.dispose();
    this.logStdVar?.dispose();
    this.optimizer.dispose();
  }
}
