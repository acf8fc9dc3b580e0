/**
 * Advantage Actor-Critic (synchronous A3C, Mnih et al. 2016), as Stable-Baselines3 implements it:
 * nEnvs x nSteps rollouts (n-step returns; GAE when gaeLambda < 1), one gradient step per rollout
 * on  -mean(A * log pi(a|s)) + vfCoef * mean((R - V(s))^2) - entCoef * mean(H[pi]),
 * RMSprop (alpha 0.99, eps 1e-5; or Adam) with global-norm gradient clipping. Discrete and Box
 * actions. Truncated episodes bootstrap from V(final observation) (see rollout.ts).
 */
import { Rng } from '../../util/rng.ts';
import { type Callbacks, type EnvSource, check, checkTotal, resolveOptions } from '../common/agent.ts';
import type { ActorCritic } from '../common/actor-critic.ts';
import { EnvPool } from '../common/env-pool.ts';
import { type Schedule, checkSchedule, scheduleValue } from '../common/schedule.ts';
import { PolicyGradientAgent, buildActorCritic, normalizeAdvantages, readAgentCheckpoint } from '../common/policy-gradient.ts';
import type { EngineName } from '../common/engine.ts';
import { collectRollout } from '../common/rollout.ts';
import type { Activation } from '../common/mlp.ts';
import { maybeYield } from '../common/yield.ts';

export interface A2COptions {
  /** Learning rate (constant or schedule). */
  learningRate: Schedule;
  /** Steps per environment per update (the n of n-step returns). */
  nSteps: number;
  /** Parallel environment copies. */
  nEnvs: number;
  gamma: number;
  /** GAE lambda; 1 = plain n-step returns (SB3 default). */
  gaeLambda: number;
  entCoef: number;
  vfCoef: number;
  maxGradNorm: number;
  /** RMSprop (SB3 default) or Adam. */
  useRmsProp: boolean;
  /** Normalise advantages over each rollout. */
  normalizeAdvantage: boolean;
  netArch: number[];
  activation: Activation;
  logStdInit: number;
  seed: number;
  /** Numerics: 'onnxruntime', 'tfjs', or 'auto' (the first where it loads); see common/engine.ts. */
  engine: EngineName;
}

/** Stable-Baselines3's A2C defaults. */
export const A2C_DEFAULTS: A2COptions = {
  learningRate: 7e-4,
  nSteps: 5,
  nEnvs: 1,
  gamma: 0.99,
  gaeLambda: 1,
  entCoef: 0,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
  useRmsProp: true,
  normalizeAdvantage: false,
  netArch: [64, 64],
  activation: 'tanh',
  logStdInit: 0,
  seed: 0,
  engine: 'auto',
};

/** RL Zoo (hyperparams/a2c.yml) tuned settings. */
export const A2C_ZOO: Record<string, { steps: number; options: Partial<A2COptions> }> = {
  'CartPole-v1': { steps: 500_000, options: { nEnvs: 8, entCoef: 0 } },
};


export class A2C extends PolicyGradientAgent<A2COptions> {
  readonly algo = 'a2c';
  readonly options: A2COptions;
  readonly policy: ActorCritic;
  protected readonly rng: Rng;
  protected readonly pool: EnvPool;

  constructor(env: EnvSource, options: Partial<A2COptions> = {}) {
    super();
    const o = (this.options = resolveOptions(this.algo, A2C_DEFAULTS, options));
    checkSchedule(o.learningRate, 'a2c: learningRate');
    for (const k of ['nSteps', 'nEnvs'] as const) check(Number.isInteger(o[k]) && o[k] > 0, this.algo, `${k} must be a positive integer, got ${o[k]}`);
    check(o.gamma >= 0 && o.gamma <= 1, this.algo, `gamma must be in [0, 1], got ${o.gamma}`);
    check(o.gaeLambda >= 0 && o.gaeLambda <= 1, this.algo, `gaeLambda must be in [0, 1], got ${o.gaeLambda}`);
    ({ policy: this.policy, rng: this.rng, pool: this.pool } = buildActorCritic(env, o.nEnvs, this.algo, o, o.useRmsProp ? { kind: 'rmsprop', alpha: 0.99, eps: 1e-5 } : { kind: 'adam' }));
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
    while (this.numTimesteps < totalTimesteps) {
      const progress = this.numTimesteps / Math.max(1, totalTimesteps);
      const lr = scheduleValue(o.learningRate, progress);
      const r = collectRollout(ac, this.pool, o.nSteps, o.gamma, o.gaeLambda, this.rng, this.numTimesteps, cb);
      this.numTimesteps += o.nSteps * this.pool.n;
      const N = o.nSteps * this.pool.n;
      const adv = r.advantages.slice();
      if (o.normalizeAdvantage) normalizeAdvantages(adv, N);
      const stats = ac.train({ n: N, x: r.obs, actions: r.actions, advantages: adv, returns: r.returns }, { kind: 'pg', entCoef: o.entCoef, vfCoef: o.vfCoef }, lr, o.maxGradNorm);
      this.numUpdates++;
      const metrics: Record<string, number> = { 'losses/policy_loss': stats.policyLoss, 'losses/value_loss': stats.valueLoss, 'losses/entropy_loss': stats.entropyLoss, learning_rate: lr };
      if (ac.continuous) metrics['std'] = Math.exp(ac.net.logStd()[0]!);
      const go = cb.onIteration?.({ numTimesteps: this.numTimesteps, metrics }) !== false;
      if (!go || r.stop) break;
      await maybeYield();
    }
    return this;
  }

  static load(dir: string, env: EnvSource): A2C {
    const ck = readAgentCheckpoint(dir, 'a2c');
    return new A2C(env, ck.meta.options as A2COptions).restore(ck);
  }
}
