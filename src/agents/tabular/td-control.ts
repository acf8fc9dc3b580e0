/**
 * One-step temporal-difference control on a Float64Array Q table (Sutton & Barto ch. 6):
 *   Q-learning       target r + gamma * max_a' Q(s', a')                      (off-policy, 6.5)
 *   SARSA            target r + gamma * Q(s', a'), a' the action taken next    (on-policy, 6.4)
 *   Expected SARSA   target r + gamma * sum_a' pi(a'|s') Q(s', a')             (6.6)
 * behaving epsilon-greedily (ties broken at random). A terminated transition's target is r; a
 * truncated one (time limit) bootstraps from the final observation as usual.
 */
import { Rng, type RngState } from '../../util/rng.ts';
import { type Agent, type Callbacks, type EnvSource, check, checkTotal, makeEnvs, resolveOptions } from '../common/agent.ts';
import { EnvPool, type EnvPoolState } from '../common/env-pool.ts';
import { type SpaceInfo, discreteIndex, spaceInfo } from '../common/env-types.ts';
import { type Schedule, checkSchedule, scheduleValue } from '../common/schedule.ts';
import { loadCheckpoint, need, saveCheckpoint } from '../common/checkpoint.ts';
import { maybeYield } from '../common/yield.ts';
import { greedyAction } from './greedy.ts';

export type TdMethod = 'q-learning' | 'sarsa' | 'expected-sarsa';

export interface TdOptions {
  /** Step size alpha (constant or schedule over training). */
  learningRate: Schedule;
  /** Discount factor. */
  gamma: number;
  /** Exploration rate of the epsilon-greedy behaviour policy (constant or schedule). */
  epsilon: Schedule;
  /** Initial value of every Q entry (optimistic initial values when > 0). */
  initialQ: number;
  /** Seed for exploration, tie-breaking and environment resets. */
  seed: number;
}

export const TD_DEFAULTS: TdOptions = { learningRate: 0.1, gamma: 0.99, epsilon: 0.1, initialQ: 0, seed: 0 };

interface TdState {
  rng: RngState;
  pool: EnvPoolState;
  numTimesteps: number;
  numEpisodes: number;
  pendingAction: number;
  totalTimesteps: number;
}

export class TdControl implements Agent {
  readonly algo: TdMethod;
  readonly options: TdOptions;
  readonly nS: number;
  readonly nA: number;
  /** Q[s * nA + a]. */
  readonly Q: Float64Array;
  numTimesteps = 0;
  numEpisodes = 0;
  private readonly obsInfo: SpaceInfo;
  private readonly actStart: number;
  private rng: Rng;
  private pool: EnvPool;
  /** SARSA: the action already chosen for the current observation (-1: none yet). */
  private pendingAction = -1;
  private totalTimesteps = 0;

  constructor(method: TdMethod, env: EnvSource, options: Partial<TdOptions> = {}) {
    this.algo = method;
    this.options = resolveOptions(method, TD_DEFAULTS, options);
    const o = this.options;
    checkSchedule(o.learningRate, `${method}: learningRate`);
    checkSchedule(o.epsilon, `${method}: epsilon`);
    check(o.gamma >= 0 && o.gamma <= 1, method, `gamma must be in [0, 1], got ${o.gamma}`);
    const envs = makeEnvs(env, 1, method);
    this.obsInfo = spaceInfo(envs[0]!.observationSpace, `${method}: observation space`);
    const act = spaceInfo(envs[0]!.actionSpace, `${method}: action space`);
    check(this.obsInfo.kind !== 'box', method, 'needs a discrete observation space (Discrete or Tuple of Discrete); use DQN for continuous ones');
    check(act.kind === 'discrete', method, 'needs a Discrete action space');
    this.nS = (this.obsInfo as { n: number }).n;
    this.nA = (act as { n: number }).n;
    this.actStart = (act as { start: number }).start;
    this.Q = new Float64Array(this.nS * this.nA).fill(o.initialQ);
    this.rng = new Rng(`${method}:${o.seed}`);
    this.pool = new EnvPool(envs, o.seed);
  }

  private stateOf(obs: unknown): number {
    return discreteIndex(this.obsInfo, obs);
  }

  /** Greedy action in state s; ties broken by rng when given, else lowest index. */
  private greedy(s: number, rng?: Rng): number {
    return greedyAction(this.Q, s, this.nA, rng);
  }

  private behave(s: number, eps: number): number {
    if (this.rng.next() < eps) return this.rng.int(this.nA);
    return this.greedy(s, this.rng);
  }

  /** sum_a pi(a|s) Q(s,a) under epsilon-greedy (tied maxima share the greedy mass, same value). */
  private expectedQ(s: number, eps: number): number {
    const base = s * this.nA;
    let max = -Infinity;
    let sum = 0;
    for (let a = 0; a < this.nA; a++) {
      const q = this.Q[base + a]!;
      sum += q;
      if (q > max) max = q;
    }
    return (eps / this.nA) * sum + (1 - eps) * max;
  }

  async learn(totalTimesteps: number, cb: Callbacks = {}): Promise<this> {
    checkTotal(this.algo, totalTimesteps);
    this.totalTimesteps = totalTimesteps;
    const o = this.options;
    const nA = this.nA;
    while (this.numTimesteps < totalTimesteps) {
      const progress = this.numTimesteps / Math.max(1, totalTimesteps);
      const eps = scheduleValue(o.epsilon, progress);
      const alpha = scheduleValue(o.learningRate, progress);
      const s = this.stateOf(this.pool.obs[0]);
      const a = this.pendingAction >= 0 ? this.pendingAction : this.behave(s, eps);
      this.pendingAction = -1;
      const ended = this.pool.step([a + this.actStart]);
      this.numTimesteps++;
      const r = this.pool.rewards[0]!;
      const terminated = this.pool.terminated[0] === 1;
      const finalObs = this.pool.finalObs[0];
      const s2 = this.stateOf(finalObs !== null ? finalObs : this.pool.obs[0]);
      let target = r;
      if (!terminated) {
        if (this.algo === 'q-learning') target += o.gamma * this.Q[s2 * nA + this.greedy(s2)]!;
        else if (this.algo === 'expected-sarsa' || finalObs !== null) target += o.gamma * this.expectedQ(s2, eps);
        else {
          this.pendingAction = this.behave(s2, eps);
          target += o.gamma * this.Q[s2 * nA + this.pendingAction]!;
        }
      }
      const i = s * nA + a;
      this.Q[i]! += alpha * (target - this.Q[i]!);
      let go = cb.onStep?.(this.numTimesteps) !== false;
      for (const e of ended) {
        this.numEpisodes++;
        if (cb.onEpisodeEnd?.({ numTimesteps: this.numTimesteps, envIndex: 0, episodicReturn: e.episodicReturn, episodeLength: e.episodeLength }) === false) go = false;
      }
      if (cb.onIteration?.({ numTimesteps: this.numTimesteps, metrics: { epsilon: eps, learning_rate: alpha } }) === false) go = false;
      if (!go) break;
      if ((this.numTimesteps & 1023) === 0) await maybeYield();
    }
    return this;
  }

  predict(obs: unknown, deterministic = true): number {
    const s = this.stateOf(obs);
    check(Number.isInteger(s) && s >= 0 && s < this.nS, this.algo, `observation ${JSON.stringify(obs)} is outside the observation space`);
    if (!deterministic && this.rng.next() < scheduleValue(this.options.epsilon, 1)) return this.rng.int(this.nA) + this.actStart;
    return this.greedy(s) + this.actStart;
  }

  /** Greedy policy as a state -> action table (lowest index among ties). */
  greedyPolicy(): Int32Array {
    const p = new Int32Array(this.nS);
    for (let s = 0; s < this.nS; s++) p[s] = this.greedy(s);
    return p;
  }

  save(dir: string, extra?: Record<string, unknown>): void {
    const state: TdState = {
      rng: this.rng.getState(),
      pool: this.pool.getState(),
      numTimesteps: this.numTimesteps,
      numEpisodes: this.numEpisodes,
      pendingAction: this.pendingAction,
      totalTimesteps: this.totalTimesteps,
    };
    saveCheckpoint(dir, { format: 'tengen-agent', version: 1, algo: this.algo, numTimesteps: this.numTimesteps, options: this.options, state, ...(extra ? { extra } : {}) }, { Q: this.Q });
  }

  static load(dir: string, env: EnvSource): TdControl {
    const { meta, arrays } = loadCheckpoint(dir);
    if (meta.algo !== 'q-learning' && meta.algo !== 'sarsa' && meta.algo !== 'expected-sarsa') throw new Error(`${dir} holds a ${meta.algo} agent, not a TD control agent`);
    const agent = new TdControl(meta.algo, env, meta.options as TdOptions);
    const Q = need<Float64Array>(arrays, 'Q');
    if (Q.length !== agent.Q.length) throw new Error(`${dir}: Q table has ${Q.length} entries, this environment needs ${agent.Q.length}`);
    agent.Q.set(Q);
    const st = meta.state as TdState;
    agent.rng.setState(st.rng);
    agent.pool.setState(st.pool);
    agent.numTimesteps = st.numTimesteps;
    agent.numEpisodes = st.numEpisodes;
    agent.pendingAction = st.pendingAction;
    agent.totalTimesteps = st.totalTimesteps;
    return agent;
  }

  dispose(): void {}
}

export class QLearning extends TdControl {
  constructor(env: EnvSource, options: Partial<TdOptions> = {}) {
    super('q-learning', env, options);
  }
}
export class Sarsa extends TdControl {
  constructor(env: EnvSource, options: Partial<TdOptions> = {}) {
    super('sarsa', env, options);
  }
}
export class ExpectedSarsa extends TdControl {
  constructor(env: EnvSource, options: Partial<TdOptions> = {}) {
    super('expected-sarsa', env, options);
  }
}
