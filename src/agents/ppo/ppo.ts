/**
 * Proximal Policy Optimization (Schulman et al. 2017), as Stable-Baselines3 / CleanRL implement it:
 * nEnvs x nSteps on-policy rollouts, GAE(lambda) advantages, nEpochs passes of shuffled minibatches
 * over the clipped surrogate objective, optional value clipping, per-minibatch advantage
 * normalisation, entropy bonus, Adam (eps 1e-5) with global-norm gradient clipping, and linear
 * schedules for the learning rate and clip range. Discrete (categorical) and Box (diagonal
 * Gaussian) actions. Truncated episodes bootstrap from V(final observation) (see rollout.ts).
 */
import { Rng } from '../../util/rng.ts';
import { type Callbacks, type EnvSource, check, checkTotal, resolveOptions } from '../common/agent.ts';
import type { ActorCritic, TrainBatch } from '../common/actor-critic.ts';
import { EnvPool } from '../common/env-pool.ts';
import { type Schedule, checkSchedule, scheduleValue } from '../common/schedule.ts';
import { PolicyGradientAgent, buildActorCritic, normalizeAdvantages, readAgentCheckpoint } from '../common/policy-gradient.ts';
import { type Rollout, collectRollout } from '../common/rollout.ts';
import type { EngineName } from '../common/engine.ts';
import type { Activation } from '../common/mlp.ts';
import { maybeYield } from '../common/yield.ts';

export interface PPOOptions {
  /** Adam learning rate (constant or schedule; RL Zoo's lin_x is { linear: [x, 0] }). */
  learningRate: Schedule;
  /** Steps per environment per rollout. */
  nSteps: number;
  /** Parallel environment copies. */
  nEnvs: number;
  /** Minibatch size (nSteps * nEnvs should be a multiple of it). */
  batchSize: number;
  /** Passes over each rollout. */
  nEpochs: number;
  gamma: number;
  /** GAE lambda (1 = Monte Carlo returns, 0 = one-step TD). */
  gaeLambda: number;
  /** Policy ratio clip epsilon (constant or schedule). */
  clipRange: Schedule;
  /** Value clip range around the rollout's values; 0 = no value clipping (SB3's None). */
  clipRangeVf: number;
  /** Normalise advantages per minibatch. */
  normalizeAdvantage: boolean;
  /** Entropy bonus coefficient. */
  entCoef: number;
  /** Value loss coefficient. */
  vfCoef: number;
  /** Clip gradients to this global L2 norm. */
  maxGradNorm: number;
  /** Hidden layers of the (separate) policy and value MLPs. */
  netArch: number[];
  activation: Activation;
  /** Initial log standard deviation of Gaussian policies. */
  logStdInit: number;
  seed: number;
  /** Numerics: 'onnxruntime', 'tfjs', or 'auto' (the first where it loads); see common/engine.ts. */
  engine: EngineName;
}

/** Stable-Baselines3's PPO defaults. */
export const PPO_DEFAULTS: PPOOptions = {
  learningRate: 3e-4,
  nSteps: 2048,
  nEnvs: 1,
  batchSize: 64,
  nEpochs: 10,
  gamma: 0.99,
  gaeLambda: 0.95,
  clipRange: 0.2,
  clipRangeVf: 0,
  normalizeAdvantage: true,
  entCoef: 0,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
  netArch: [64, 64],
  activation: 'tanh',
  logStdInit: 0,
  seed: 0,
  engine: 'auto',
};

/** RL Zoo (hyperparams/ppo.yml) tuned settings. Pendulum's gSDE is replaced by a plain Gaussian. */
export const PPO_ZOO: Record<string, { steps: number; options: Partial<PPOOptions> }> = {
  'CartPole-v1': { steps: 100_000, options: { nEnvs: 8, nSteps: 32, batchSize: 256, gaeLambda: 0.8, gamma: 0.98, nEpochs: 20, entCoef: 0, learningRate: { linear: [1e-3, 0] }, clipRange: { linear: [0.2, 0] } } },
  'Pendulum-v1': { steps: 1_000_000, options: { nEnvs: 4, nSteps: 1024, gaeLambda: 0.95, gamma: 0.9, nEpochs: 10, entCoef: 0, learningRate: 1e-3, clipRange: 0.2, logStdInit: -0.5 } },
};


export class PPO extends PolicyGradientAgent<PPOOptions> {
  readonly algo = 'ppo';
  readonly options: PPOOptions;
  readonly policy: ActorCritic;
  protected readonly rng: Rng;
  protected readonly pool: EnvPool;

  constructor(env: EnvSource, options: Partial<PPOOptions> = {}) {
    super();
    const o = (this.options = resolveOptions(this.algo, PPO_DEFAULTS, options));
    checkSchedule(o.learningRate, 'ppo: learningRate');
    checkSchedule(o.clipRange, 'ppo: clipRange');
    for (const k of ['nSteps', 'nEnvs', 'batchSize', 'nEpochs'] as const) check(Number.isInteger(o[k]) && o[k] > 0, this.algo, `${k} must be a positive integer, got ${o[k]}`);
    check(o.gamma >= 0 && o.gamma <= 1, this.algo, `gamma must be in [0, 1], got ${o.gamma}`);
    check(o.gaeLambda >= 0 && o.gaeLambda <= 1, this.algo, `gaeLambda must be in [0, 1], got ${o.gaeLambda}`);
    check(o.clipRangeVf >= 0, this.algo, `clipRangeVf must be >= 0 (0 = off), got ${o.clipRangeVf}`);
    check(!o.normalizeAdvantage || o.batchSize > 1, this.algo, 'batchSize must be > 1 when normalizeAdvantage is on');
    ({ policy: this.policy, rng: this.rng, pool: this.pool } = buildActorCritic(env, o.nEnvs, this.algo, o, { kind: 'adam', eps: 1e-5 }));
  }

  /** One rollout: nSteps in each of nEnvs environments. */
  get stepsPerIteration(): number {
    return this.options.nSteps * this.options.nEnvs;
  }

  async learn(totalTimesteps: number, cb: Callbacks = {}): Promise<this> {
    checkTotal(this.algo, totalTimesteps);
    this.totalTimesteps = totalTimesteps;
    const o = this.options;
    const ac = this.policy;
    const D = ac.obsDim;
    const A = ac.continuous ? ac.actDim : 1;
    while (this.numTimesteps < totalTimesteps) {
      const progress = this.numTimesteps / Math.max(1, totalTimesteps);
      const lr = scheduleValue(o.learningRate, progress);
      const clip = scheduleValue(o.clipRange, progress);
      const r = collectRollout(ac, this.pool, o.nSteps, o.gamma, o.gaeLambda, this.rng, this.numTimesteps, cb);
      this.numTimesteps += o.nSteps * this.pool.n;

      const N = o.nSteps * this.pool.n;
      const idx = Array.from({ length: N }, (_, i) => i);
      const B = Math.min(o.batchSize, N);
      const loss = { kind: 'ppo', clip, clipVf: o.clipRangeVf, entCoef: o.entCoef, vfCoef: o.vfCoef } as const;
      const stats = { pg: 0, vf: 0, ent: 0, kl: 0, clipFrac: 0, n: 0 };
      for (let epoch = 0; epoch < o.nEpochs; epoch++) {
        this.rng.shuffle(idx);
        // SB3 logs the losses of the last epoch only; an engine may skip reading them back before.
        const last = epoch === o.nEpochs - 1;
        for (let start = 0; start < N; start += B) {
          const batch = gatherMinibatch(r, idx, start, Math.min(N, start + B), D, A);
          if (o.normalizeAdvantage) normalizeAdvantages(batch.advantages, batch.n);
          const st = ac.train(batch, loss, lr, o.maxGradNorm, last);
          if (last) {
            stats.pg += st.policyLoss;
            stats.vf += st.valueLoss;
            stats.ent += st.entropyLoss;
            stats.kl += st.approxKl;
            stats.clipFrac += st.clipFraction;
            stats.n++;
          }
        }
      }
      this.numUpdates++;
      const k = Math.max(1, stats.n);
      const metrics: Record<string, number> = {
        'losses/policy_loss': stats.pg / k,
        'losses/value_loss': stats.vf / k,
        'losses/entropy_loss': stats.ent / k,
        'losses/approx_kl': stats.kl / k,
        'losses/clip_fraction': stats.clipFrac / k,
        learning_rate: lr,
        clip_range: clip,
      };
      if (ac.continuous) metrics['std'] = Math.exp(ac.net.logStd()[0]!);
      const go = cb.onIteration?.({ numTimesteps: this.numTimesteps, metrics }) !== false;
      if (!go || r.stop) break;
      await maybeYield();
    }
    return this;
  }

  static load(dir: string, env: EnvSource): PPO {
    const ck = readAgentCheckpoint(dir, 'ppo');
    return new PPO(env, ck.meta.options as PPOOptions).restore(ck);
  }
}

/** Rows idx[start..end) of a rollout, as one training batch. */
function gatherMinibatch(r: Rollout, idx: number[], start: number, end: number, D: number, A: number): TrainBatch {
  const m = end - start;
  const b: TrainBatch = {
    n: m,
    x: new Float32Array(m * D),
    actions: new Float32Array(m * A),
    advantages: new Float32Array(m),
    returns: new Float32Array(m),
    oldLogProbs: new Float32Array(m),
    oldValues: new Float32Array(m),
  };
  for (let k = 0; k < m; k++) {
    const i = idx[start + k]!;
    for (let j = 0; j < D; j++) b.x[k * D + j] = r.obs[i * D + j]!;
    for (let j = 0; j < A; j++) b.actions[k * A + j] = r.actions[i * A + j]!;
    b.oldLogProbs![k] = r.logProbs[i]!;
    b.oldValues![k] = r.values[i]!;
    b.advantages[k] = r.advantages[i]!;
    b.returns[k] = r.returns[i]!;
  }
  return b;
}
