/**
 * tengen/agents: tabular Q-learning/SARSA/MC control, dynamic programming, DQN, REINFORCE, A2C, PPO.
 *
 * @module tengen/agents
 */
import '../nets/start-backend.ts'; // starts the tensor backend as the package loads (see there)
export * from './common/index.ts';
