/**
 * Wrappers for cross-cutting concerns, after Gymnasium's `wrappers/common.py`:
 * Wrapper (forwards everything), TimeLimit, OrderEnforcing, RecordEpisodeStatistics.
 *
 * Unlike Gymnasium (which only warns), stepping an episode that has already ended without a
 * reset throws ResetNeeded: TimeLimit guards episodes it truncated, OrderEnforcing guards
 * step-before-reset and episodes the env terminated.
 */
import { ResetNeeded, type Env, type EnvSpecInfo, type ResetOptions, type ResetResult, type StatefulEnv, type StepResult } from './core.ts';
import type { Space } from './spaces.ts';

export class Wrapper<Obs = unknown, Act = unknown> implements Env<Obs, Act> {
  constructor(readonly env: Env<Obs, Act>) {}
  get observationSpace(): Space<Obs> {
    return this.env.observationSpace;
  }
  get actionSpace(): Space<Act> {
    return this.env.actionSpace;
  }
  get unwrapped(): StatefulEnv<Obs, Act> {
    return this.env.unwrapped;
  }
  get spec(): EnvSpecInfo | undefined {
    return this.env.spec;
  }
  reset(opts?: ResetOptions): ResetResult<Obs> {
    return this.env.reset(opts);
  }
  step(action: Act): StepResult<Obs> {
    return this.env.step(action);
  }
  render(): string {
    if (!this.env.render) throw new Error(`${this.unwrapped.constructor.name} has no text render()`);
    return this.env.render();
  }
  close(): void {
    this.env.close?.();
  }
  toString(): string {
    return `${this.constructor.name}<${String(this.env)}>`;
  }
}

function ended(action: unknown, why: string): ResetNeeded {
  return new ResetNeeded(`Cannot call env.step(${JSON.stringify(action)}): the episode ${why}; call env.reset() to start a new one.`);
}

/** Sets truncated=true once maxEpisodeSteps steps have been taken since reset. */
export class TimeLimit<Obs = unknown, Act = unknown> extends Wrapper<Obs, Act> {
  private elapsed = -1;
  private done = false;
  constructor(
    env: Env<Obs, Act>,
    readonly maxEpisodeSteps: number,
  ) {
    super(env);
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0) {
      throw new Error(`TimeLimit: maxEpisodeSteps must be a positive integer, got ${maxEpisodeSteps}`);
    }
  }
  /** Steps taken in the current episode (-1 before the first reset). */
  get elapsedSteps(): number {
    return this.elapsed;
  }
  override reset(opts?: ResetOptions): ResetResult<Obs> {
    const r = this.env.reset(opts);
    this.elapsed = 0;
    this.done = false;
    return r;
  }
  override step(action: Act): StepResult<Obs> {
    if (this.done) throw ended(action, 'has already ended (terminated or truncated)');
    const r = this.env.step(action);
    this.elapsed++;
    if (this.elapsed >= this.maxEpisodeSteps) r.truncated = true;
    if (r.terminated || r.truncated) this.done = true;
    return r;
  }
}

/** Throws ResetNeeded on step() or render() before the first reset(), and on step() after termination. */
export class OrderEnforcing<Obs = unknown, Act = unknown> extends Wrapper<Obs, Act> {
  private hasReset = false;
  private done = false;
  constructor(
    env: Env<Obs, Act>,
    readonly disableRenderOrderEnforcing = false,
  ) {
    super(env);
  }
  get hasBeenReset(): boolean {
    return this.hasReset;
  }
  override reset(opts?: ResetOptions): ResetResult<Obs> {
    const r = this.env.reset(opts);
    this.hasReset = true;
    this.done = false;
    return r;
  }
  override step(action: Act): StepResult<Obs> {
    if (!this.hasReset) throw new ResetNeeded('Cannot call env.step() before calling env.reset()');
    if (this.done) throw ended(action, 'has already ended (terminated or truncated)');
    const r = this.env.step(action);
    if (r.terminated || r.truncated) this.done = true;
    return r;
  }
  override render(): string {
    if (!this.disableRenderOrderEnforcing && !this.hasReset) {
      throw new ResetNeeded('Cannot call env.render() before calling env.reset(); pass disableRenderOrderEnforcing to allow it.');
    }
    return super.render();
  }
}

export interface EpisodeStats {
  /** Episode return (sum of rewards). */
  r: number;
  /** Episode length in steps. */
  l: number;
  /** Wall-clock seconds since the episode's reset, rounded to microseconds. */
  t: number;
}

/** On the step that ends an episode, adds info.episode = {r, l, t} and keeps the last bufferLength episodes. */
export class RecordEpisodeStatistics<Obs = unknown, Act = unknown> extends Wrapper<Obs, Act> {
  episodeCount = 0;
  readonly returnQueue: number[] = [];
  readonly lengthQueue: number[] = [];
  readonly timeQueue: number[] = [];
  private episodeReturn = 0;
  private episodeLength = 0;
  private episodeStart = -1;
  constructor(
    env: Env<Obs, Act>,
    readonly bufferLength = 100,
    readonly statsKey = 'episode',
  ) {
    super(env);
  }
  override reset(opts?: ResetOptions): ResetResult<Obs> {
    const r = this.env.reset(opts);
    this.episodeStart = performance.now();
    this.episodeReturn = 0;
    this.episodeLength = 0;
    return r;
  }
  override step(action: Act): StepResult<Obs> {
    const r = this.env.step(action);
    this.episodeReturn += r.reward;
    this.episodeLength++;
    if (r.terminated || r.truncated) {
      if (this.statsKey in r.info) throw new Error(`RecordEpisodeStatistics: info already has a '${this.statsKey}' key`);
      const t = Math.round((performance.now() - this.episodeStart) * 1000) / 1e6;
      const stats: EpisodeStats = { r: this.episodeReturn, l: this.episodeLength, t };
      r.info[this.statsKey] = stats;
      push(this.returnQueue, stats.r, this.bufferLength);
      push(this.lengthQueue, stats.l, this.bufferLength);
      push(this.timeQueue, stats.t, this.bufferLength);
      this.episodeCount++;
      this.episodeStart = performance.now();
    }
    return r;
  }
}

function push(q: number[], v: number, max: number): void {
  q.push(v);
  if (q.length > max) q.shift();
}
