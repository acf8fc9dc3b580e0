/**
 * The single-agent environment contract, after Gymnasium 1.x `core.py`.
 *
 * reset({seed, options}) starts an episode and returns {observation, info}; step(action) advances
 * one step and returns {observation, reward, terminated, truncated, info}. `terminated` means the
 * MDP reached a terminal state (the value of what follows is zero); `truncated` means the episode
 * was cut short from outside (a time limit), so bootstrapping from the last observation is right.
 *
 * `unwrapped` is the innermost environment, whose `state` (a plain number[]) can be read and
 * written like Gymnasium's env.unwrapped.state, so a trajectory can be replayed from any state.
 */
import { Rng } from '../util/rng.ts';
import type { Space } from './spaces.ts';

export type Info = Record<string, unknown>;

export interface ResetOptions {
  /** Re-seeds the environment's generator (Gymnasium: reset(seed=...)). Omitted: keep the stream. */
  seed?: number;
  /** Environment-specific reset options, e.g. CartPole's {low, high}. */
  options?: Record<string, unknown>;
}

export interface ResetResult<Obs> {
  observation: Obs;
  info: Info;
}

export interface StepResult<Obs> {
  observation: Obs;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: Info;
}

/** The innermost environment: its dynamics state can be read and replaced. */
export interface StatefulEnv<Obs, Act> extends Env<Obs, Act> {
  state: number[];
}

export interface Env<Obs = unknown, Act = unknown> {
  readonly observationSpace: Space<Obs>;
  readonly actionSpace: Space<Act>;
  reset(opts?: ResetOptions): ResetResult<Obs>;
  step(action: Act): StepResult<Obs>;
  /** A text picture of the current state (no ANSI colour codes). */
  render?(): string;
  close?(): void;
  readonly unwrapped: StatefulEnv<Obs, Act>;
  /** The registry entry this env was made from (set by make()). */
  spec?: EnvSpecInfo;
}

/** What make() records about how an env was built. */
export interface EnvSpecInfo {
  id: string;
  maxEpisodeSteps: number | null;
  rewardThreshold: number | null;
  kwargs: Record<string, unknown>;
}

/**
 * Base class for concrete environments: owns the seeded generator (`npRandom`, after Gymnasium's
 * env.np_random). reset() must call `this.seedIfAsked(opts)` first. An env that was never seeded
 * draws its seed from Math.random, as Gymnasium draws from OS entropy.
 */
export abstract class BaseEnv<Obs, Act> implements StatefulEnv<Obs, Act> {
  abstract readonly observationSpace: Space<Obs>;
  abstract readonly actionSpace: Space<Act>;
  abstract reset(opts?: ResetOptions): ResetResult<Obs>;
  abstract step(action: Act): StepResult<Obs>;
  abstract get state(): number[];
  abstract set state(s: number[]);
  spec?: EnvSpecInfo;
  protected npRandom: Rng = new Rng(0);
  private seeded = false;

  get unwrapped(): this {
    return this;
  }

  /** Re-seed when opts.seed is given (or on the very first reset). */
  protected seedIfAsked(opts?: ResetOptions): void {
    const seed = opts?.seed;
    if (seed !== undefined && seed !== null) {
      if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0) {
        throw new Error(`reset: seed must be a non-negative integer, got ${String(seed)}`);
      }
      this.npRandom = new Rng(seed);
      this.seeded = true;
    } else if (!this.seeded) {
      this.npRandom = new Rng(Math.floor(Math.random() * 4294967296));
      this.seeded = true;
    }
  }

  /** The generator behind reset and stochastic dynamics (Gymnasium's np_random). */
  get rng(): Rng {
    return this.npRandom;
  }

  toString(): string {
    return this.spec ? `${this.constructor.name}<${this.spec.id}>` : this.constructor.name;
  }
}

/** Thrown when an env is used out of order (step before reset, step after the episode ended). */
export class ResetNeeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResetNeeded';
  }
}

/** Check a constructor's options object against the keys it accepts; snake_case keys are accepted as camelCase. */
export function readOptions(envName: string, opts: Record<string, unknown> | undefined, allowed: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (opts === undefined || opts === null) return out;
  if (typeof opts !== 'object') throw new Error(`${envName}: options must be an object, got ${typeof opts}`);
  for (const [k, v] of Object.entries(opts)) {
    const key = k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (!allowed.includes(key)) {
      throw new Error(`${envName}: unknown option '${k}'; expected one of: ${allowed.length ? allowed.join(', ') : '(none)'}`);
    }
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** Parse Gymnasium's reset bounds option {low, high} (classic_control/utils.maybe_parse_reset_bounds). */
export function resetBounds(options: Record<string, unknown> | undefined, defLow: number, defHigh: number): [number, number] {
  if (!options) return [defLow, defHigh];
  const low = 'low' in options ? toNumber(options.low, 'low') : defLow;
  const high = 'high' in options ? toNumber(options.high, 'high') : defHigh;
  if (low > high) throw new Error(`Lower bound (${low}) must be lower than higher bound (${high}).`);
  return [low, high];
}

export function toNumber(x: unknown, name: string): number {
  const v = typeof x === 'number' ? x : typeof x === 'string' && x.trim() !== '' ? Number(x) : NaN;
  if (Number.isNaN(v)) throw new Error(`An option (${name}=${String(x)}) could not be converted to a number.`);
  return v;
}
