/**
 * Policy and value networks for the policy-gradient agents (REINFORCE, A2C, PPO), after
 * Stable-Baselines3's ActorCriticPolicy with separate policy and value MLPs:
 *  - Discrete actions: a categorical over softmax(logits).
 *  - Box actions: a diagonal Gaussian, state-dependent mean and a learned state-independent
 *    log standard deviation (initialised to `logStdInit`). Sampled actions are stored unclipped;
 *    the environment receives them clipped to the Box bounds.
 * Sampling runs in plain JS from our seeded Rng; log-probabilities and entropies for the losses
 * are computed in tf so they are differentiable.
 */
import { Rng } from '../../util/rng.ts';
import { UserError } from '../../util/errors.ts';
import { type SpaceInfo, encodeObs, obsSize, spaceInfo } from './env-types.ts';
import { type Activation, Mlp, readVars, writeVars } from './mlp.ts';
import { tf } from './tf.ts';
import type { Action } from './env-pool.ts';

const LOG_2PI = Math.log(2 * Math.PI);

export class ActorCritic {
  readonly obsInfo: SpaceInfo;
  readonly obsDim: number;
  readonly continuous: boolean;
  /** Number of discrete actions, or action dimensions. */
  readonly actDim: number;
  readonly actStart: number;
  readonly low: Float64Array;
  readonly high: Float64Array;
  readonly pi: Mlp;
  readonly vf: Mlp;
  readonly logStd: tf.Variable | null;

  constructor(observationSpace: unknown, actionSpace: unknown, netArch: number[], activation: Activation, rng: Rng, logStdInit: number, algo: string) {
    this.obsInfo = spaceInfo(observationSpace, `${algo}: observation space`);
    this.obsDim = obsSize(this.obsInfo);
    const act = spaceInfo(actionSpace, `${algo}: action space`);
    if (act.kind === 'tuple') throw new UserError(`${algo}: Tuple action spaces are not supported`);
    this.continuous = act.kind === 'box';
    this.actDim = act.kind === 'box' ? act.size : act.n;
    this.actStart = act.kind === 'discrete' ? act.start : 0;
    this.low = act.kind === 'box' ? act.low : new Float64Array(0);
    this.high = act.kind === 'box' ? act.high : new Float64Array(0);
    this.pi = new Mlp([this.obsDim, ...netArch, this.actDim], activation, rng, 'orthogonal', 0.01);
    this.vf = new Mlp([this.obsDim, ...netArch, 1], activation, rng, 'orthogonal', 1);
    this.logStd = this.continuous ? tf.variable(tf.fill([this.actDim], logStdInit)) : null;
  }

  /** All trainable variables, in a fixed order (checkpoints, optimizer). */
  get vars(): tf.Variable[] {
    return [...this.pi.vars, ...this.vf.vars, ...(this.logStd ? [this.logStd] : [])];
  }

  encode(obs: unknown[]): Float32Array {
    const x = new Float32Array(obs.length * this.obsDim);
    for (let i = 0; i < obs.length; i++) encodeObs(this.obsInfo, obs[i], x, i * this.obsDim);
    return x;
  }

  /** Values V(x) for a batch of encoded observations. */
  values(x: Float32Array, n: number): Float32Array {
    return tf.tidy(() => this.vf.apply(tf.tensor2d(x, [n, this.obsDim])).dataSync() as Float32Array).slice();
  }

  /**
   * Sample (or pick the mode of) actions for n encoded observations. Returns raw actions (flat,
   * n * actDim for Box, n for Discrete), their log-probabilities and the values.
   */
  act(x: Float32Array, n: number, rng: Rng | null, withValues = true): { actions: Float32Array; logProbs: Float32Array; values: Float32Array } {
    const [out, values, logStd] = tf.tidy(() => {
      const t = tf.tensor2d(x, [n, this.obsDim]);
      return [this.pi.apply(t).dataSync() as Float32Array, withValues ? (this.vf.apply(t).dataSync() as Float32Array) : new Float32Array(n), this.logStd ? (this.logStd.dataSync() as Float32Array) : new Float32Array(0)];
    });
    const d = this.actDim;
    const logProbs = new Float32Array(n);
    if (this.continuous) {
      const actions = new Float32Array(n * d);
      for (let i = 0; i < n; i++) {
        let lp = 0;
        for (let j = 0; j < d; j++) {
          const std = Math.exp(logStd[j]!);
          const mean = out[i * d + j]!;
          const eps = rng ? rng.normal() : 0;
          actions[i * d + j] = mean + std * eps;
          lp += -0.5 * eps * eps - logStd[j]! - 0.5 * LOG_2PI;
        }
        logProbs[i] = lp;
      }
      return { actions, logProbs, values };
    }
    const actions = new Float32Array(n);
    const p = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let j = 0; j < d; j++) max = Math.max(max, out[i * d + j]!);
      let z = 0;
      for (let j = 0; j < d; j++) z += (p[j] = Math.exp(out[i * d + j]! - max));
      let a = 0;
      if (rng) a = rng.categorical(p);
      else for (let j = 1; j < d; j++) if (p[j]! > p[a]!) a = j;
      actions[i] = a;
      logProbs[i] = Math.log(p[a]! / z);
    }
    return { actions, logProbs, values };
  }

  /** The action to send to environment i: Discrete offset by start, Box clipped to bounds. */
  envAction(actions: Float32Array, i: number): Action {
    if (!this.continuous) return actions[i]! + this.actStart;
    const a = new Array<number>(this.actDim);
    for (let j = 0; j < this.actDim; j++) a[j] = Math.min(this.high[j]!, Math.max(this.low[j]!, actions[i * this.actDim + j]!));
    return a;
  }

  /** Differentiable log pi(a|s), entropy and V(s) for a batch (call inside tf.tidy / grads). */
  evaluate(x: tf.Tensor2D, actions: tf.Tensor): { logProb: tf.Tensor1D; entropy: tf.Tensor1D; values: tf.Tensor1D } {
    const out = this.pi.apply(x);
    const values = tf.reshape(this.vf.apply(x), [-1]) as tf.Tensor1D;
    if (this.logStd) {
      const std = tf.exp(this.logStd);
      const z = tf.div(tf.sub(actions, out), std);
      const logProb = tf.sum(tf.sub(tf.mul(tf.square(z), -0.5), tf.add(this.logStd, 0.5 * LOG_2PI)), 1) as tf.Tensor1D;
      const entRow = tf.sum(tf.add(this.logStd, 0.5 + 0.5 * LOG_2PI));
      const entropy = tf.mul(tf.onesLike(logProb), entRow) as tf.Tensor1D;
      return { logProb, entropy, values };
    }
    const logp = tf.logSoftmax(out);
    const mask = tf.oneHot(tf.cast(actions, 'int32') as tf.Tensor1D, this.actDim);
    const logProb = tf.sum(tf.mul(logp, mask), 1) as tf.Tensor1D;
    const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1)) as tf.Tensor1D;
    return { logProb, entropy, values };
  }

  /** Predict for one observation (deterministic: argmax / mean). */
  predict(obs: unknown, deterministic: boolean, rng: Rng): number | number[] {
    const { actions } = this.act(this.encode([obs]), 1, deterministic ? null : rng, false);
    return this.envAction(actions, 0);
  }

  readAll(): Float32Array[] {
    return readVars(this.vars);
  }

  writeAll(values: Float32Array[], what: string): void {
    writeVars(this.vars, values, what);
  }

  dispose(): void {
    this.pi.dispose();
    this.vf.dispose();
    this.logStd?.dispose();
  }
}
