/**
 * The classic RL agents as a library (Stable-Baselines3-shaped API):
 *
 *   import { PPO, make } from 'tengen';
 *   const agent = new PPO(() => make('CartPole-v1'), { nEnvs: 8, seed: 1 });
 *   await agent.learn(100_000, { onEpisodeEnd: (e) => console.log(e.episodicReturn) });
 *   agent.save('runs/ppo');  const again = PPO.load('runs/ppo', () => make('CartPole-v1'));
 */
export type { Agent, Callbacks, EpisodeEnd, Iteration, EnvSource } from './agent.ts';
export type { Schedule } from './schedule.ts';
export { evaluatePolicy, type EvalResult } from './evaluate.ts';
export { ALGORITHMS, type AlgoName, createAgent, loadAgent, zooPreset } from './algorithms.ts';
export { QLearning, Sarsa, ExpectedSarsa, TdControl, TD_DEFAULTS, type TdOptions } from '../tabular/td-control.ts';
export { McControl, MC_DEFAULTS, type McOptions } from '../tabular/mc-control.ts';
export { valueIteration, policyIteration, evaluatePolicy as evaluateTabularPolicy, finiteHorizonValue, type TransitionTable } from '../tabular/dp.ts';
export { DQN, DQN_DEFAULTS, DQN_ZOO, type DQNOptions } from '../dqn/dqn.ts';
export { TransitionBuffer } from '../dqn/transition-buffer.ts';
export { Reinforce, REINFORCE_DEFAULTS, type ReinforceOptions } from '../reinforce/reinforce.ts';
export { A2C, A2C_DEFAULTS, A2C_ZOO, type A2COptions } from '../a2c/a2c.ts';
export { PPO, PPO_DEFAULTS, PPO_ZOO, type PPOOptions } from '../ppo/ppo.ts';
