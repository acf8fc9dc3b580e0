/**
 * tengen/env: Gymnasium-style single-agent environments.
 *
 *   import { make } from 'tengen/env';
 *   const env = make('CartPole-v1');
 *   let { observation } = env.reset({ seed: 42 });
 *   const { reward, terminated, truncated } = env.step(1);
 *
 * @module tengen/env
 */
export * from './core.ts';
export * as spaces from './spaces.ts';
export { Box, Discrete, Tuple, type Space } from './spaces.ts';
export * as wrappers from './wrappers.ts';
export { Wrapper, TimeLimit, OrderEnforcing, RecordEpisodeStatistics, type EpisodeStats } from './wrappers.ts';
export * as vector from './vector.ts';
export { SyncVectorEnv, makeVec, type VectorStepResult, type BatchedObs, type AutoresetMode } from './vector.ts';
export { make, register, listEnvs, spec, type EnvSpec, type MakeOptions } from './registry.ts';
export { CartPoleEnv, type CartPoleOptions } from './classic/cartpole.ts';
export { MountainCarEnv, type MountainCarOptions } from './classic/mountain-car.ts';
export { PendulumEnv, angleNormalize, type PendulumOptions } from './classic/pendulum.ts';
export { AcrobotEnv, type AcrobotOptions } from './classic/acrobot.ts';
export { DiscreteModelEnv, categoricalSample, type Transition, type TransitionTable } from './toytext/discrete.ts';
export { FrozenLakeEnv, generateRandomMap, isValidMap, MAPS as FROZEN_LAKE_MAPS, type FrozenLakeOptions } from './toytext/frozen-lake.ts';
export { CliffWalkingEnv, type CliffWalkingOptions } from './toytext/cliff-walking.ts';
export { TaxiEnv, type TaxiOptions } from './toytext/taxi.ts';
export { BlackjackEnv, type BlackjackObs, type BlackjackOptions } from './toytext/blackjack.ts';
export { WindyGridworldEnv, WIND as WINDY_GRIDWORLD_WIND, type WindyGridworldOptions } from './toytext/windy-gridworld.ts';
export * from './games/index.ts';
