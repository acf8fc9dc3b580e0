/** tengen/agents: tabular Q-learning/SARSA/MC control, dynamic programming, DQN, REINFORCE, A2C, PPO. */
export * from './common/index.ts';
