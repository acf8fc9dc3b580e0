/**
 * What every classic agent shares: the library API shape (Stable-Baselines3's), callbacks,
 * environment sources and options checking.
 *
 *   const agent = new PPO(() => make('CartPole-v1'), { seed: 1 });
 *   await agent.learn(100_000, { onEpisodeEnd: (e) => console.log(e.episodicReturn) });
 *   agent.predict(obs, true); agent.save('runs/ppo'); const again = PPO.load('runs/ppo', () => make('CartPole-v1'));
 *
 * `learn(totalTimesteps)` trains until the agent's step counter reaches totalTimesteps, so a
 * loaded checkpoint given the same total continues where it stopped (schedules use the total).
 */
import { UserError } from '../../util/errors.ts';
import type { AgentEnv } from './env-types.ts';

export interface EpisodeEnd {
  numTimesteps: number;
  envIndex: number;
  episodicReturn: number;
  episodeLength: number;
}

export interface Iteration {
  numTimesteps: number;
  /** losses/*, epsilon, learning rate... of the latest update (may be empty). */
  metrics: Record<string, number>;
}

/** Return false from any callback to stop training (at the next consistent point). */
export interface Callbacks {
  onStep?(numTimesteps: number): boolean | void;
  onEpisodeEnd?(e: EpisodeEnd): boolean | void;
  /** Called where the agent's whole state is consistent: saving here resumes exactly. */
  onIteration?(it: Iteration): boolean | void;
}

export interface Agent {
  readonly algo: string;
  readonly numTimesteps: number;
  learn(totalTimesteps: number, callbacks?: Callbacks): Promise<this>;
  /**
   * Steps of one training iteration, where the agent only stops between whole ones (PPO, A2C: a
   * rollout of nSteps x nEnvs): learn(total) then runs to the next multiple of it. Absent: any step.
   */
  readonly stepsPerIteration?: number;
  /** Action for one observation (deterministic: greedy / mean action). */
  predict(obs: unknown, deterministic?: boolean): number | number[];
  /** Save a checkpoint to `dir`; `extra` (the caller's record) is committed in the same atomic write. */
  save(dir: string, extra?: Record<string, unknown>): void;
  dispose(): void;
}

/** An environment, or a factory that makes fresh copies (needed when nEnvs > 1). */
export type EnvSource = AgentEnv | (() => AgentEnv);

export function makeEnvs(src: EnvSource, n: number, algo: string): AgentEnv[] {
  if (typeof src === 'function') return Array.from({ length: n }, () => src());
  if (n !== 1) throw new UserError(`${algo}: nEnvs=${n} needs an environment factory (() => env), not a single env`);
  return [src];
}

/**
 * Merge user options over defaults, rejecting unknown keys and values of the wrong type with a
 * one-line error that names the option and what was expected.
 */
export function resolveOptions<T extends object>(algo: string, defaults: T, given: Partial<T> | undefined): T {
  const out = { ...defaults } as Record<string, unknown>;
  const known = Object.keys(defaults);
  for (const [k, v] of Object.entries(given ?? {})) {
    if (v === undefined) continue;
    if (!known.includes(k)) throw new UserError(`${algo}: unknown option '${k}' (known: ${known.join(', ')})`);
    const d = (defaults as Record<string, unknown>)[k];
    if (typeof d === 'number' && (typeof v !== 'number' || !Number.isFinite(v))) {
      if (!(typeof v === 'object' && v !== null && 'linear' in v)) throw new UserError(`${algo}: option '${k}' must be a finite number, got ${JSON.stringify(v)}`);
    }
    if (typeof d === 'boolean' && typeof v !== 'boolean') throw new UserError(`${algo}: option '${k}' must be true or false, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return out as T;
}

/** Throw a UserError unless cond holds. */
export function check(cond: boolean, algo: string, message: string): void {
  if (!cond) throw new UserError(`${algo}: ${message}`);
}

export function checkTotal(algo: string, totalTimesteps: number): void {
  if (!Number.isInteger(totalTimesteps) || totalTimesteps < 0) throw new UserError(`${algo}: total timesteps must be a non-negative integer, got ${totalTimesteps}`);
}
