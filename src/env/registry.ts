/**
 * The environment registry, after gymnasium.make: make(id, opts) builds the env, then wraps it as
 * TimeLimit(OrderEnforcing(env)) (TimeLimit only where the spec or opts give maxEpisodeSteps).
 * Options other than the make options below are passed to the env's constructor, which rejects
 * unknown ones; snake_case names (is_slippery, map_name) are accepted as well as camelCase.
 */
import { UserError } from '../util/errors.ts';
import type { Env } from './core.ts';
import { AcrobotEnv } from './classic/acrobot.ts';
import { CartPoleEnv } from './classic/cartpole.ts';
import { MountainCarEnv } from './classic/mountain-car.ts';
import { PendulumEnv } from './classic/pendulum.ts';
import { BlackjackEnv } from './toytext/blackjack.ts';
import { CliffWalkingEnv } from './toytext/cliff-walking.ts';
import { FrozenLakeEnv } from './toytext/frozen-lake.ts';
import { TaxiEnv } from './toytext/taxi.ts';
import { WindyGridworldEnv } from './toytext/windy-gridworld.ts';
import { OrderEnforcing, TimeLimit } from './wrappers.ts';

export interface EnvSpec {
  id: string;
  /** Builds the unwrapped env from constructor options. */
  entryPoint: (kwargs: Record<string, unknown>) => Env<unknown, unknown>;
  maxEpisodeSteps?: number | null;
  rewardThreshold?: number | null;
  /** Default constructor options, overridden by make()'s. */
  kwargs?: Record<string, unknown>;
  /** Wrap in OrderEnforcing (default true). */
  orderEnforce?: boolean;
}

export interface MakeOptions {
  /** Override the spec's time limit; null removes it. */
  maxEpisodeSteps?: number | null;
  /** Skip OrderEnforcing (default: the spec's orderEnforce). */
  orderEnforce?: boolean;
}

const registry = new Map<string, EnvSpec>();

/** Add an env to the registry. Re-registering an id replaces it. */
export function register(spec: EnvSpec): void {
  if (!/^[\w/.:-]+-v\d+$/.test(spec.id)) throw new Error(`register: id '${spec.id}' must look like Name-vN`);
  registry.set(spec.id, { orderEnforce: true, maxEpisodeSteps: null, rewardThreshold: null, kwargs: {}, ...spec });
}

/** The registered ids, sorted. */
export function listEnvs(): string[] {
  return [...registry.keys()].sort();
}

export function spec(id: string): EnvSpec {
  const s = registry.get(id);
  if (s) return s;
  const base = id.replace(/-v\d+$/, '');
  const versions = listEnvs().filter((k) => k.replace(/-v\d+$/, '') === base);
  const hint = versions.length ? ` Did you mean ${versions.map((v) => `'${v}'`).join(' or ')}?` : '';
  throw new UserError(`Unknown environment '${id}'.${hint} Known environments: ${listEnvs().join(', ')}`);
}

/** Build a registered env with Gymnasium's standard wrappers. */
export function make<Obs = unknown, Act = unknown>(id: string, opts: MakeOptions & Record<string, unknown> = {}): Env<Obs, Act> {
  const s = spec(id);
  const { maxEpisodeSteps, max_episode_steps, orderEnforce, order_enforce, ...kwargs } = opts as Record<string, unknown>;
  const steps = (maxEpisodeSteps !== undefined ? maxEpisodeSteps : max_episode_steps !== undefined ? max_episode_steps : s.maxEpisodeSteps) as number | null | undefined;
  if (steps !== null && steps !== undefined && (!Number.isInteger(steps) || steps <= 0)) {
    throw new UserError(`make('${id}'): maxEpisodeSteps must be a positive integer or null, got ${String(steps)}`);
  }
  const allKwargs = { ...s.kwargs, ...kwargs };
  let env: Env<unknown, unknown>;
  try {
    env = s.entryPoint(allKwargs);
  } catch (e) {
    throw new UserError(`make('${id}'): ${(e as Error).message}`);
  }
  env.unwrapped.spec = { id, maxEpisodeSteps: steps ?? null, rewardThreshold: s.rewardThreshold ?? null, kwargs: allKwargs };
  if ((orderEnforce ?? order_enforce ?? s.orderEnforce) !== false) env = new OrderEnforcing(env);
  if (steps !== null && steps !== undefined) env = new TimeLimit(env, steps);
  return env as Env<Obs, Act>;
}

// ---- built-in environments (ids, limits and thresholds as Gymnasium 1.x registers them) ----
register({ id: 'CartPole-v0', entryPoint: (k) => new CartPoleEnv(k), maxEpisodeSteps: 200, rewardThreshold: 195.0 });
register({ id: 'CartPole-v1', entryPoint: (k) => new CartPoleEnv(k), maxEpisodeSteps: 500, rewardThreshold: 475.0 });
register({ id: 'MountainCar-v0', entryPoint: (k) => new MountainCarEnv(k), maxEpisodeSteps: 200, rewardThreshold: -110.0 });
register({ id: 'Pendulum-v1', entryPoint: (k) => new PendulumEnv(k), maxEpisodeSteps: 200 });
register({ id: 'Acrobot-v1', entryPoint: (k) => new AcrobotEnv(k), maxEpisodeSteps: 500, rewardThreshold: -100.0 });
register({ id: 'Blackjack-v1', entryPoint: (k) => new BlackjackEnv(k), kwargs: { sab: true, natural: false } });
register({ id: 'FrozenLake-v1', entryPoint: (k) => new FrozenLakeEnv(k), kwargs: { mapName: '4x4' }, maxEpisodeSteps: 100, rewardThreshold: 0.7 });
register({ id: 'FrozenLake8x8-v1', entryPoint: (k) => new FrozenLakeEnv(k), kwargs: { mapName: '8x8' }, maxEpisodeSteps: 200, rewardThreshold: 0.85 });
register({ id: 'CliffWalking-v1', entryPoint: (k) => new CliffWalkingEnv(k) });
register({ id: 'CliffWalkingSlippery-v1', entryPoint: (k) => new CliffWalkingEnv(k), kwargs: { isSlippery: true } });
register({ id: 'Taxi-v4', entryPoint: (k) => new TaxiEnv(k), maxEpisodeSteps: 200, rewardThreshold: 8 });
register({ id: 'WindyGridworld-v0', entryPoint: (k) => new WindyGridworldEnv(k) });
