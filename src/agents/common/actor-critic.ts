/**
 * Policy and value networks for the policy-gradient agents (REINFORCE, A2C, PPO), after
 * Stable-Baselines3's ActorCriticPolicy with separate policy and value MLPs:
 *  - Discrete actions: a categorical over softmax(logits).
 *  - Box actions: a diagonal Gaussian, state-dependent mean and a learned state-independent
 *    log standard deviation (initialised to `logStdInit`). Sampled actions are stored unclipped;
 *    the environment receives them clipped to the Box bounds.
 * Sampling runs in plain JS from our seeded Rng. The networks' numerics (forward passes, the
 * losses below and their gradients, the optimizer) belong to an ActorCriticNet of the chosen
 * engine (./engine.ts): actor-critic-ort.ts or actor-critic-tf.ts. The losses, with
 * logp = log pi(a|s), H = the policy's entropy, V = the value net, over a batch:
 *
 *   'pg'  (REINFORCE, A2C): -mean(A logp) + vfCoef mean((R - V)^2) - entCoef mean(H)
 *   'ppo' (PPO):            -mean(min(A r, A clip(r, 1-c, 1+c))) + vfCoef mean((R - Vc)^2) - entCoef mean(H),
 *                           r = exp(logp - logp_old), Vc = V_old + clip(V - V_old, -cv, cv) when cv > 0.
 */
import { Rng } from '../../util/rng.ts';
import { UserError } from '../../util/errors.ts';
import { type SpaceInfo, encodeObs, obsSize, spaceInfo } from './env-types.ts';
import { type Activation, initMlpWeights } from './mlp.ts';
import type { Action } from './env-pool.ts';
import type { ResolvedEngine } from './engine.ts';
import type { OptimizerState } from './optim.ts';
import { TfActorCriticNet } from './actor-critic-tf.ts';
import { OrtActorCriticNet } from './actor-critic-ort.ts';

export const LOG_2PI = Math.log(2 * Math.PI);

/** The optimizer an agent trains with (PyTorch's Adam or RMSprop, src/agents/common/optim.ts). */
export interface OptimizerSpec {
  kind: 'adam' | 'rmsprop';
  eps?: number;
  /** RMSprop's smoothing constant. */
  alpha?: number;
}

export type LossSpec = { kind: 'pg'; entCoef: number; vfCoef: number } | { kind: 'ppo'; entCoef: number; vfCoef: number; clip: number; clipVf: number };

/** One batch of experience for a gradient step; arrays hold n rows. */
export interface TrainBatch {
  n: number;
  /** Encoded observations, n * obsDim. */
  x: Float32Array;
  /** Raw actions: n (Discrete indices) or n * actDim (Box). */
  actions: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
  /** PPO: log-probabilities and values from the rollout. */
  oldLogProbs?: Float32Array;
  oldValues?: Float32Array;
}

export interface LossStats {
  policyLoss: number;
  valueLoss: number;
  entropyLoss: number;
  /** PPO: Schulman's k3 estimate of KL(old || new), and the fraction of ratios clipped. */
  approxKl: number;
  clipFraction: number;
}

/** The shapes of an actor-critic's networks. */
export interface ActorCriticShape {
  obsDim: number;
  actDim: number;
  continuous: boolean;
  netArch: number[];
  activation: Activation;
}

/** What an engine provides: forward passes, one training step, the weights and the optimizer's state. */
export interface ActorCriticNet {
  /** Policy outputs (logits or Gaussian means, n * actDim) and, when asked, values (n). */
  forward(x: Float32Array, n: number, withValues: boolean): { out: Float32Array; values: Float32Array };
  values(x: Float32Array, n: number): Float32Array;
  /** Current log standard deviations (Box actions), else empty. */
  logStd(): Float32Array;
  /** One gradient step of `loss` on `batch`; `withStats` false lets an engine skip reading the loss parts back. */
  train(batch: TrainBatch, loss: LossSpec, lr: number, maxGradNorm: number, withStats: boolean): LossStats;
  /** Weights in the fixed order [pi W0, b0, ..., vf W0, b0, ..., logStd?] (checkpoints). */
  readAll(): Float32Array[];
  writeAll(values: Float32Array[], what: string): void;
  getOptimizerState(): OptimizerState;
  setOptimizerState(s: OptimizerState): void;
  dispose(): void;
}

export class ActorCritic {
  readonly obsInfo: SpaceInfo;
  readonly obsDim: number;
  readonly continuous: boolean;
  /** Number of discrete actions, or action dimensions. */
  readonly actDim: number;
  readonly actStart: number;
  readonly low: Float64Array;
  readonly high: Float64Array;
  readonly engine: ResolvedEngine;
  readonly net: ActorCriticNet;
  /** Number of weight tensors (checkpoint entries policy/0 ...). */
  readonly numTensors: number;

  constructor(
    observationSpace: unknown,
    actionSpace: unknown,
    netArch: number[],
    activation: Activation,
    rng: Rng,
    logStdInit: number,
    algo: string,
    engine: ResolvedEngine,
    optimizer: OptimizerSpec,
  ) {
    this.obsInfo = spaceInfo(observationSpace, `${algo}: observation space`);
    this.obsDim = obsSize(this.obsInfo);
    const act = spaceInfo(actionSpace, `${algo}: action space`);
    if (act.kind === 'tuple') throw new UserError(`${algo}: Tuple action spaces are not supported`);
    this.continuous = act.kind === 'box';
    this.actDim = act.kind === 'box' ? act.size : act.n;
    this.actStart = act.kind === 'discrete' ? act.start : 0;
    this.low = act.kind === 'box' ? act.low : new Float64Array(0);
    this.high = act.kind === 'box' ? act.high : new Float64Array(0);
    this.engine = engine;
    const shape: ActorCriticShape = { obsDim: this.obsDim, actDim: this.actDim, continuous: this.continuous, netArch, activation };
    // Weights in checkpoint order: policy MLP (output gain 0.01), value MLP (gain 1), then log std.
    const init = [
      ...initMlpWeights([this.obsDim, ...netArch, this.actDim], rng, 'orthogonal', 0.01),
      ...initMlpWeights([this.obsDim, ...netArch, 1], rng, 'orthogonal', 1),
      ...(this.continuous ? [new Float32Array(this.actDim).fill(logStdInit)] : []),
    ];
    this.numTensors = init.length;
    this.net = engine === 'onnxruntime' ? new OrtActorCriticNet(shape, init, optimizer) : new TfActorCriticNet(shape, init, optimizer);
  }

  encode(obs: unknown[]): Float32Array {
    const x = new Float32Array(obs.length * this.obsDim);
    for (let i = 0; i < obs.length; i++) encodeObs(this.obsInfo, obs[i], x, i * this.obsDim);
    return x;
  }

  /** Values V(x) for a batch of encoded observations. */
  values(x: Float32Array, n: number): Float32Array {
    return this.net.values(x, n);
  }

  /**
   * Sample (or pick the mode of) actions for n encoded observations. Returns raw actions (flat,
   * n * actDim for Box, n for Discrete), their log-probabilities and the values.
   */
  act(x: Float32Array, n: number, rng: Rng | null, withValues = true): { actions: Float32Array; logProbs: Float32Array; values: Float32Array } {
    const { out, values } = this.net.forward(x, n, withValues);
    const d = this.actDim;
    const logProbs = new Float32Array(n);
    if (this.continuous) {
      const logStd = this.net.logStd();
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

  /** One gradient step (see the losses at the top of this file). */
  train(batch: TrainBatch, loss: LossSpec, lr: number, maxGradNorm: number, withStats = true): LossStats {
    return this.net.train(batch, loss, lr, maxGradNorm, withStats);
  }

  /** Predict for one observation (deterministic: argmax / mean). */
  predict(obs: unknown, deterministic: boolean, rng: Rng): number | number[] {
    const { actions } = this.act(this.encode([obs]), 1, deterministic ? null : rng, false);
    return this.envAction(actions, 0);
  }

  readAll(): Float32Array[] {
    return this.net.readAll();
  }

  writeAll(values: Float32Array[], what: string): void {
    this.net.writeAll(values, what);
  }

  dispose(): void {
    this.net.dispose();
  }
}
