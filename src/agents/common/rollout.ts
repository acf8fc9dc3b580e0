/**
 * On-policy rollouts for A2C and PPO: nSteps steps of every environment in the pool, stored
 * time-major ([t * nEnvs + e]) in typed arrays, then generalised advantage estimation.
 *
 * Time limits: when an episode is truncated (not terminated) the final observation's value is
 * folded into that step's reward, r += gamma * V(final obs) (Stable-Baselines3's treatment), and
 * the step is then marked done so the advantage does not leak into the next episode.
 */
import type { Rng } from '../../util/rng.ts';
import type { ActorCritic } from './actor-critic.ts';
import type { EnvPool } from './env-pool.ts';
import type { Callbacks } from './agent.ts';

export interface Rollout {
  nSteps: number;
  nEnvs: number;
  obs: Float32Array;
  actions: Float32Array;
  logProbs: Float32Array;
  values: Float32Array;
  rewards: Float32Array;
  dones: Uint8Array;
  advantages: Float32Array;
  returns: Float32Array;
  /** True when a callback asked to stop during collection. */
  stop: boolean;
}

export function collectRollout(ac: ActorCritic, pool: EnvPool, nSteps: number, gamma: number, lambda: number, rng: Rng, startTimesteps: number, cb: Callbacks): Rollout {
  const n = pool.n;
  const D = ac.obsDim;
  const A = ac.continuous ? ac.actDim : 1;
  const N = nSteps * n;
  const r: Rollout = {
    nSteps,
    nEnvs: n,
    obs: new Float32Array(N * D),
    actions: new Float32Array(N * A),
    logProbs: new Float32Array(N),
    values: new Float32Array(N),
    rewards: new Float32Array(N),
    dones: new Uint8Array(N),
    advantages: new Float32Array(N),
    returns: new Float32Array(N),
    stop: false,
  };
  let steps = startTimesteps;
  const envActions = new Array(n);
  for (let t = 0; t < nSteps; t++) {
    const x = ac.encode(pool.obs);
    r.obs.set(x, t * n * D);
    const out = ac.act(x, n, rng);
    r.actions.set(out.actions, t * n * A);
    r.logProbs.set(out.logProbs, t * n);
    r.values.set(out.values, t * n);
    for (let e = 0; e < n; e++) envActions[e] = ac.envAction(out.actions, e);
    const ended = pool.step(envActions);
    steps += n;
    // Bootstrap truncated episodes from the value of their final observation.
    const trunc: number[] = [];
    for (let e = 0; e < n; e++) if (pool.truncated[e] && !pool.terminated[e] && pool.finalObs[e] !== null) trunc.push(e);
    let bootstrap: Float32Array | null = null;
    if (trunc.length > 0) bootstrap = ac.values(ac.encode(trunc.map((e) => pool.finalObs[e])), trunc.length);
    for (let e = 0; e < n; e++) {
      r.rewards[t * n + e] = pool.rewards[e]!;
      r.dones[t * n + e] = pool.terminated[e] || pool.truncated[e] ? 1 : 0;
    }
    trunc.forEach((e, k) => (r.rewards[t * n + e]! += gamma * bootstrap![k]!));
    if (cb.onStep?.(steps) === false) r.stop = true;
    for (const ep of ended) {
      if (cb.onEpisodeEnd?.({ numTimesteps: steps, envIndex: ep.envIndex, episodicReturn: ep.episodicReturn, episodeLength: ep.episodeLength }) === false) r.stop = true;
    }
  }
  const last = ac.values(ac.encode(pool.obs), n);
  // GAE(lambda): delta_t = r_t + gamma V(s_{t+1}) (1 - done_t) - V(s_t); A_t = delta_t + gamma lambda (1 - done_t) A_{t+1}.
  const lastGae = new Float64Array(n);
  for (let t = nSteps - 1; t >= 0; t--) {
    for (let e = 0; e < n; e++) {
      const i = t * n + e;
      const nextV = t === nSteps - 1 ? last[e]! : r.values[i + n]!;
      const nonTerminal = 1 - r.dones[i]!;
      const delta = r.rewards[i]! + gamma * nextV * nonTerminal - r.values[i]!;
      lastGae[e] = delta + gamma * lambda * nonTerminal * lastGae[e]!;
      r.advantages[i] = lastGae[e]!;
      r.returns[i] = lastGae[e]! + r.values[i]!;
    }
  }
  return r;
}
