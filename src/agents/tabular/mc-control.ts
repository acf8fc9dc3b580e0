/**
 * First-visit Monte Carlo control with epsilon-soft policies (Sutton & Barto 5.4): play an episode
 * epsilon-greedily, then for each (s, a) at its first visit move Q(s, a) towards the return that
 * followed it, G = sum_k gamma^k r_{t+k+1}. The default step size is the sample average 1/N(s, a)
 * (learningRate 0); a constant or scheduled alpha can be given instead. Suited to episodic tasks
 * with short episodes, such as Blackjack. Truncated episodes bootstrap nothing (the return is the
 * sum of the rewards seen), as in the textbook.
 */
import { Rng, type RngState } from '../../util/rng.ts';
import { type Agent, type Callbacks, type EnvSource, check, checkTotal, makeEnvs, resolveOptions } from '../common/agent.ts';
import { EnvPool, type EnvPoolState } from '../common/env-pool.ts';
import { type SpaceInfo, discreteIndex, spaceInfo } from '../common/env-types.ts';
import { type Schedule, checkSchedule, scheduleValue } from '../common/schedule.ts';
import { loadCheckpoint, need, saveCheckpoint } from '../common/checkpoint.ts';
import { maybeYield } from '../common/yield.ts';
import { greedyAction } from './greedy.ts';

export interface McOptions {
  /** Discount factor. */
  gamma: number;
  /** Exploration rate (constant or schedule over training). */
  epsilon: Schedule;
  /** Step size; 0 means the sample average 1/N(s, a). */
  learningRate: Schedule;
  /** Seed for exploration and environment resets. */
  seed: number;
}

export const MC_DEFAULTS: McOptions = { gamma: 1, epsilon: 0.1, learningRate: 0, seed: 0 };

interface McState {
  rng: RngState;
  pool: EnvPoolState;
  numTimesteps: number;
  numEpisodes: number;
  episode: number[];
}

export class McControl implements Agent {
  readonly algo = 'mc-control';
  readonly options: McOptions;
  readonly nS: number;
  readonly nA: number;
  /** Q[s * nA + a]. */
  readonly Q: Float64Array;
  /** Visit counts of first visits, N[s * nA + a]. */
  readonly N: Float64Array;
  numTimesteps = 0;
  numEpisodes = 0;
  private readonly obsInfo: SpaceInfo;
  private readonly actStart: number;
  private rng: Rng;
  private pool: EnvPool;
  /** The current episode as flat triples (s, a, r). */
  private episode: number[] = [];

  constructor(env: EnvSource, options: Partial<McOptions> = {}) {
    this.options = resolveOptions(this.algo, MC_DEFAULTS, options);
    const o = this.options;
    checkSchedule(o.epsilon, 'mc-control: epsilon');
    checkSchedule(o.learningRate, 'mc-control: learningRate');
    check(o.gamma >= 0 && o.gamma <= 1, this.algo, `gamma must be in [0, 1], got ${o.gamma}`);
    const envs = makeEnvs(env, 1, this.algo);
    this.obsInfo = spaceInfo(envs[0]!.observationSpace, 'mc-control: observation space');
    const act = spaceInfo(envs[0]!.actionSpace, 'mc-control: action space');
    check(this.obsInfo.kind !== 'box', this.algo, 'needs a discrete observation space (Discrete or Tuple of Discrete)');
    check(act.kind === 'discrete', this.algo, 'needs a Discrete action space');
    this.nS = (this.obsInfo as { n: number }).n;
    this.nA = (act as { n: number }).n;
    this.actStart = (act as { start: number }).start;
    this.Q = new Float64Array(this.nS * this.nA);
    this.N = new Float64Array(this.nS * this.nA);
    this.rng = new Rng(`mc-control:${o.seed}`);
    this.pool = new EnvPool(envs, o.seed);
  }

  /** Greedy action in state s; ties broken by rng when given, else lowest index. */
  private greedy(s: number, rng?: Rng): number {
    return greedyAction(this.Q, s, this.nA, rng);
  }

  async learn(totalTimesteps: number, cb: Callbacks = {}): Promise<this> {
    checkTotal(this.algo, totalTimesteps);
    const o = this.options;
    const nA = this.nA;
    const firstSeen = new Int32Array(this.nS * nA).fill(-1);
    while (this.numTimesteps < totalTimesteps) {
      const progress = this.numTimesteps / Math.max(1, totalTimesteps);
      const eps = scheduleValue(o.epsilon, progress);
      const s = discreteIndex(this.obsInfo, this.pool.obs[0]);
      const a = this.rng.next() < eps ? this.rng.int(nA) : this.greedy(s, this.rng);
      const ended = this.pool.step([a + this.actStart]);
      this.numTimesteps++;
      this.episode.push(s, a, this.pool.rewards[0]!);
      let go = cb.onStep?.(this.numTimesteps) !== false;
      if (ended.length > 0) {
        // First visits, then returns backwards; update only at the first visit of each pair.
        const ep = this.episode;
        const T = ep.length / 3;
        for (let t = 0; t < T; t++) {
          const k = ep[3 * t]! * nA + ep[3 * t + 1]!;
          if (firstSeen[k] === -1) firstSeen[k] = t;
        }
        const alpha = scheduleValue(o.learningRate, progress);
        let G = 0;
        for (let t = T - 1; t >= 0; t--) {
          G = o.gamma * G + ep[3 * t + 2]!;
          const k = ep[3 * t]! * nA + ep[3 * t + 1]!;
          if (firstSeen[k] !== t) continue;
          this.N[k]!++;
          this.Q[k]! += (alpha > 0 ? alpha : 1 / this.N[k]!) * (G - this.Q[k]!);
        }
        for (let t = 0; t < T; t++) firstSeen[ep[3 * t]! * nA + ep[3 * t + 1]!] = -1;
        this.episode = [];
        this.numEpisodes++;
        const e = ended[0]!;
        if (cb.onEpisodeEnd?.({ numTimesteps: this.numTimesteps, envIndex: 0, episodicReturn: e.episodicReturn, episodeLength: e.episodeLength }) === false) go = false;
      }
      if (cb.onIteration?.({ numTimesteps: this.numTimesteps, metrics: { epsilon: eps } }) === false) go = false;
      if (!go) break;
      if ((this.numTimesteps & 1023) === 0) await maybeYield();
    }
    return this;
  }

  predict(obs: unknown, deterministic = true): number {
    const s = discreteIndex(this.obsInfo, obs);
    check(Number.isInteger(s) && s >= 0 && s < this.nS, this.algo, `observation ${JSON.stringify(obs)} is outside the observation space`);
    if (!deterministic && this.rng.next() < scheduleValue(this.options.epsilon, 1)) return this.rng.int(this.nA) + this.actStart;
    return this.greedy(s) + this.actStart;
  }

  save(dir: string, extra?: Record<string, unknown>): void {
    const state: McState = { rng: this.rng.getState(), pool: this.pool.getState(), numTimesteps: this.numTimesteps, numEpisodes: this.numEpisodes, episode: this.episode.slice() };
    saveCheckpoint(dir, { format: 'tengen-agent', version: 1, algo: this.algo, numTimesteps: this.numTimesteps, options: this.options, state, ...(extra ? { extra } : {}) }, { Q: this.Q, N: this.N });
  }

  static load(dir: string, env: EnvSource): McControl {
    const { meta, arrays } = loadCheckpoint(dir);
    if (meta.algo !== 'mc-control') throw new Error(`${dir} holds a ${meta.algo} agent, not mc-control`);
    const agent = new McControl(env, meta.options as McOptions);
    const Q = need<Float64Array>(arrays, 'Q');
    if (Q.length !== agent.Q.length) throw new Error(`${dir}: Q table has ${Q.length} entries, this environment needs ${agent.Q.length}`);
    agent.Q.set(Q);
    agent.N.set(need<Float64Array>(arrays, 'N'));
    const st = meta.state as McState;
    agent.rng.setState(st.rng);
    agent.pool.setState(st.pool);
    agent.numTimesteps = st.numTimesteps;
    agent.numEpisodes = st.numEpisodes;
    agent.episode = st.episode.slice();
    return agent;
  }

  dispose(): void {}
}
