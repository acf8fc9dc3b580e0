/**
 * The classic agents by name: how to build one (with RL Zoo presets for an env id where they
 * exist), and how to load a saved one. Used by `tengen train` / `tengen eval` and bench/rl.ts.
 */
import { UserError } from '../../util/errors.ts';
import type { Agent, EnvSource } from './agent.ts';
import { checkpointInfo } from './checkpoint.ts';
import { TdControl } from '../tabular/td-control.ts';
import { McControl } from '../tabular/mc-control.ts';
import { DQN, DQN_ZOO } from '../dqn/dqn.ts';
import { PPO, PPO_ZOO } from '../ppo/ppo.ts';
import { A2C, A2C_ZOO } from '../a2c/a2c.ts';
import { Reinforce } from '../reinforce/reinforce.ts';

export const ALGORITHMS = ['q-learning', 'sarsa', 'expected-sarsa', 'mc-control', 'dqn', 'reinforce', 'a2c', 'ppo'] as const;
export type AlgoName = (typeof ALGORITHMS)[number];

export function checkAlgo(name: string): AlgoName {
  if (!(ALGORITHMS as readonly string[]).includes(name)) throw new UserError(`unknown algorithm '${name}' (expected one of: ${ALGORITHMS.join(', ')})`);
  return name as AlgoName;
}

/** RL Zoo's tuned options and step budget for this algorithm on this env, if it has them. */
export function zooPreset(algo: AlgoName, envId: string): { steps: number; options: Record<string, unknown> } | undefined {
  const table = algo === 'dqn' ? DQN_ZOO : algo === 'ppo' ? PPO_ZOO : algo === 'a2c' ? A2C_ZOO : undefined;
  return table?.[envId] as { steps: number; options: Record<string, unknown> } | undefined;
}

/** Whether the algorithm steps several env copies (then it needs a factory). */
export function usesFactory(algo: AlgoName): boolean {
  return algo === 'ppo' || algo === 'a2c';
}

export function createAgent(algo: AlgoName, env: EnvSource, options: Record<string, unknown>): Agent {
  switch (algo) {
    case 'q-learning':
    case 'sarsa':
    case 'expected-sarsa':
      return new TdControl(algo, env, options);
    case 'mc-control':
      return new McControl(env, options);
    case 'dqn':
      return new DQN(env, options);
    case 'reinforce':
      return new Reinforce(env, options);
    case 'a2c':
      return new A2C(env, options);
    case 'ppo':
      return new PPO(env, options);
  }
}

export function loadAgent(dir: string, env: EnvSource): Agent {
  const algo = checkAlgo(checkpointInfo(dir).algo);
  switch (algo) {
    case 'q-learning':
    case 'sarsa':
    case 'expected-sarsa':
      return TdControl.load(dir, env);
    case 'mc-control':
      return McControl.load(dir, env);
    case 'dqn':
      return DQN.load(dir, env);
    case 'reinforce':
      return Reinforce.load(dir, env);
    case 'a2c':
      return A2C.load(dir, env);
    case 'ppo':
      return PPO.load(dir, env);
  }
}
