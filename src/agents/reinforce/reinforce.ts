/**
 * REINFORCE with a learned baseline (Williams 1992; Sutton & Barto 13.4): play whole episodes
 * with the stochastic policy, compute the discounted return G_t from every step, and take one
 * gradient step on  -mean((G_t - V(s_t)) log pi(a_t|s_t)) + vfCoef * mean((G_t - V(s_t))^2)
 * - entCoef * mean(H[pi]). The baseline V is a separate MLP trained by regression on G_t.
 * A time-limit truncation bootstraps the return tail from V(final observation); termination does
 * not. Discrete (categorical) and Box (diagonal Gaussian) actions.
 */
import { Rng } from '../../util/rng.ts';
import { type Callbacks, type EnvSource, check, checkTotal, resolveOptions } from '../common/agent.ts';
import type { ActorCritic } from '../common/actor-critic.ts';
import { EnvPool } from '../common/env-pool.ts';
import { type Schedule, checkSchedule, scheduleValue } from '../common/schedule.ts';
import { PolicyGradientAgent, buildActorCritic, normalizeAdvantages, readAgentCheckpoint } from '../common/policy-gradient.ts';
import type { EngineName } from '../common/engine.ts';
import type { Activation } from '../common/mlp.ts';
import { maybeYield } from '../common/yield.ts';

export interface ReinforceOptions {
  /** Adam learning rate (constant or schedule). */
  learningRate: Schedule;
  gamma: number;
  /** Episodes collected per gradient step. */
  episodesPerUpdate: number;
  entCoef: number;
  /** Weight of the baseline's regression loss. */
  vfCoef: number;
  /** Normalise the advantages G - V over each batch. */
  normalizeAdvantage: boolean;
  /** Clip gradients to this global L2 norm (0 = off). */
  maxGradNorm: number;
  netArch: number[];
  activation: Activation;
  logStdInit: number;
  seed: number;
  /** Numerics: 'onnxruntime', 'tfjs', or 'auto' (the first where it loads); see common/engine.ts. */
  engine: EngineName;
}

/** No RL Zoo entry exists for REINFORCE; these are common textbook-scale settings. */
export const REINFORCE_DEFAULTS: ReinforceOptions = {
  learningRate: 1e-3,
  gamma: 0.99,
  episodesPerUpdate: 1,
  entCoef: 0,
  vfCoef: 0.5,
  normalizeAdvantage: true,
  maxGradNorm: 0.5,
  netArch: [64, 64],
  activation: 'tanh',
  logStdInit: 0,
  seed: 0,
  engine: 'auto',
};


export class Reinforce extends PolicyGradientAgent<ReinforceOptions> {
  readonly algo = 'reinforce';
  readonly options: ReinforceOptions;
  readonly policy: ActorCritic;
  protected readonly rng: Rng;
  protected readonly pool: EnvPool;

  constructor(env: EnvSource, options: Partial<ReinforceOptions> = {}) {
    super();
    const o = (this.options = resolveOptions(this.algo, REINFORCE_DEFAULTS, options));
    checkSchedule(o.learningRate, 'reinforce: learningRate');
    check(Number.isInteger(o.episodesPerUpdate) && o.episodesPerUpdate > 0, this.algo, `episodesPerUpdate must be a positive integer, got ${o.episodesPerUpdate}`);
    check(o.gamma >= 0 && o.gamma <= 1, this.algo, `gamma must be in [0, 1], got ${o.gamma}`);
    ({ policy: this.policy, rng: this.rng, pool: this.pool } = buildActorCritic(env, 1, this.algo, o, { kind: 'adam' }));
  }

  async learn(totalTimesteps: number, cb: Callbacks = {}): Promise<this> {
    checkTotal(this.algo, totalTimesteps);
    this.totalTimesteps = totalTimesteps;
    const o = this.options;
    const ac = this.policy;
    const D = ac.obsDim;
    const A = ac.continuous ? ac.actDim : 1;
    let stop = false;
    while (this.numTimesteps < totalTimesteps && !stop) {
      const lr = scheduleValue(o.learningRate, this.numTimesteps / Math.max(1, totalTimesteps));
      const obs: Float32Array[] = [];
      const acts: Float32Array[] = [];
      const returns: number[] = [];
      for (let ep = 0; ep < o.episodesPerUpdate; ep++) {
        const rewards: number[] = [];
        let tail = 0;
        for (;;) {
          const x = ac.encode([this.pool.obs[0]]);
          const out = ac.act(x, 1, this.rng, false);
          obs.push(x);
          acts.push(out.actions);
          const ended = this.pool.step([ac.envAction(out.actions, 0)]);
          this.numTimesteps++;
          rewards.push(this.pool.rewards[0]!);
          if (cb.onStep?.(this.numTimesteps) === false) stop = true;
          if (ended.length === 0) continue;
          const e = ended[0]!;
          if (!e.terminated) tail = ac.values(ac.encode([this.pool.finalObs[0]]), 1)[0]!;
          if (cb.onEpisodeEnd?.({ numTimesteps: this.numTimesteps, envIndex: 0, episodicReturn: e.episodicReturn, episodeLength: e.episodeLength }) === false) stop = true;
          break;
        }
        const G = new Array<number>(rewards.length);
        let g = tail;
        for (let t = rewards.length - 1; t >= 0; t--) G[t] = g = rewards[t]! + o.gamma * g;
        returns.push(...G);
      }
      const N = returns.length;
      const x = new Float32Array(N * D);
      const a = new Float32Array(N * A);
      for (let i = 0; i < N; i++) {
        x.set(obs[i]!, i * D);
        a.set(acts[i]!, i * A);
      }
      const v = ac.values(x, N);
      const adv = new Float32Array(N);
      for (let i = 0; i < N; i++) adv[i] = returns[i]! - v[i]!;
      if (o.normalizeAdvantage) normalizeAdvantages(adv, N);
      const stats = ac.train({ n: N, x, actions: a, advantages: adv, returns: Float32Array.from(returns) }, { kind: 'pg', entCoef: o.entCoef, vfCoef: o.vfCoef }, lr, o.maxGradNorm);
      this.numUpdates++;
      const metrics: Record<string, number> = { 'losses/policy_loss': stats.policyLoss, 'losses/value_loss': stats.valueLoss, 'losses/entropy_loss': stats.entropyLoss, learning_rate: lr };
      if (cb.onIteration?.({ numTimesteps: this.numTimesteps, metrics }) === false) stop = true;
      await maybeYield();
    }
    return this;
  }

  static load(dir: string, env: EnvSource): Reinforce {
    const ck = readAgentCheckpoint(dir, 'reinforce');
    return new Reinforce(env, ck.meta.options as ReinforceOptions).restore(ck);
  }
}
