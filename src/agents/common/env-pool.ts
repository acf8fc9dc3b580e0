/**
 * EnvPool: N copies of an environment stepped in lock-step, with same-step autoreset.
 *
 * When a copy ends an episode (terminated or truncated) the pool keeps the final observation in
 * `finalObs[i]` and immediately resets that copy, so `obs[i]` is always the observation the next
 * action is taken from. Agents bootstrap from V(finalObs) on truncation (Gymnasium's
 * terminated/truncated split; Stable-Baselines3's `terminal_observation`).
 *
 * Every reset is seeded from the pool's own Rng, and the actions of each copy's current episode
 * are logged, so `getState()`/`setState()` restore every copy exactly (reset with the same seed,
 * replay the actions) without needing any environment internals. This is what makes
 * checkpoint -> resume identical to an uninterrupted run.
 */
import { Rng, type RngState } from '../../util/rng.ts';
import type { AgentEnv, Info } from './env-types.ts';

export type Action = number | number[];

export interface EpisodeRecord {
  envIndex: number;
  episodicReturn: number;
  episodeLength: number;
  terminated: boolean;
}

export interface EnvPoolState {
  rng: RngState;
  episodeSeeds: number[];
  actionLogs: Action[][];
  returns: number[];
  lengths: number[];
}

export class EnvPool {
  readonly envs: AgentEnv[];
  readonly n: number;
  /** Observation each copy acts from next. */
  readonly obs: unknown[];
  /** Final observation of the episode that ended on the last step (null if it did not end). */
  readonly finalObs: (unknown | null)[];
  readonly rewards: Float64Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  readonly infos: Info[];
  private rng: Rng;
  private episodeSeeds: number[];
  private actionLogs: Action[][];
  private returns: Float64Array;
  private lengths: Int32Array;

  constructor(envs: AgentEnv[], seed: number) {
    if (envs.length === 0) throw new Error('EnvPool needs at least one environment');
    this.envs = envs;
    this.n = envs.length;
    this.rng = new Rng(`envpool:${seed}`);
    this.obs = new Array(this.n).fill(null);
    this.finalObs = new Array(this.n).fill(null);
    this.rewards = new Float64Array(this.n);
    this.terminated = new Uint8Array(this.n);
    this.truncated = new Uint8Array(this.n);
    this.infos = new Array(this.n).fill({});
    this.episodeSeeds = new Array(this.n).fill(0);
    this.actionLogs = envs.map(() => []);
    this.returns = new Float64Array(this.n);
    this.lengths = new Int32Array(this.n);
    for (let i = 0; i < this.n; i++) this.resetOne(i);
  }

  private resetOne(i: number): void {
    const s = this.rng.int(2147483647);
    this.episodeSeeds[i] = s;
    this.actionLogs[i] = [];
    this.returns[i] = 0;
    this.lengths[i] = 0;
    this.obs[i] = this.envs[i]!.reset({ seed: s }).observation;
  }

  /** Step every copy with its action; returns the episodes that ended on this step. */
  step(actions: ArrayLike<Action>): EpisodeRecord[] {
    const done: EpisodeRecord[] = [];
    for (let i = 0; i < this.n; i++) {
      const a = actions[i]!;
      const r = this.envs[i]!.step(a as never);
      this.actionLogs[i]!.push(typeof a === 'number' ? a : Array.from(a));
      this.rewards[i] = r.reward;
      this.terminated[i] = r.terminated ? 1 : 0;
      this.truncated[i] = r.truncated ? 1 : 0;
      this.infos[i] = r.info;
      this.returns[i]! += r.reward;
      this.lengths[i]!++;
      if (r.terminated || r.truncated) {
        done.push({ envIndex: i, episodicReturn: this.returns[i]!, episodeLength: this.lengths[i]!, terminated: r.terminated });
        this.finalObs[i] = r.observation;
        this.resetOne(i);
      } else {
        this.finalObs[i] = null;
        this.obs[i] = r.observation;
      }
    }
    return done;
  }

  getState(): EnvPoolState {
    return {
      rng: this.rng.getState(),
      episodeSeeds: this.episodeSeeds.slice(),
      actionLogs: this.actionLogs.map((l) => l.slice()),
      returns: Array.from(this.returns),
      lengths: Array.from(this.lengths),
    };
  }

  /** Restore every copy to a saved state: reset with the episode's seed and replay its actions. */
  setState(state: EnvPoolState): void {
    if (state.episodeSeeds.length !== this.n) throw new Error(`checkpoint has ${state.episodeSeeds.length} environments, this run has ${this.n}`);
    for (let i = 0; i < this.n; i++) {
      const env = this.envs[i]!;
      let o = env.reset({ seed: state.episodeSeeds[i]! }).observation;
      for (const a of state.actionLogs[i]!) {
        const r = env.step(a as never);
        if (r.terminated || r.truncated) throw new Error('checkpoint replay ended an episode early: the environment is not deterministic under its seed');
        o = r.observation;
      }
      this.obs[i] = o;
      this.finalObs[i] = null;
      this.episodeSeeds[i] = state.episodeSeeds[i]!;
      this.actionLogs[i] = state.actionLogs[i]!.slice();
      this.returns[i] = state.returns[i]!;
      this.lengths[i] = state.lengths[i]!;
    }
    this.rng.setState(state.rng);
  }
}
