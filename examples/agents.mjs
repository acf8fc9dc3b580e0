// tengen/agents: tabular control, dynamic programming and deep RL agents with one API.
import { make } from 'tengen/env';
import { QLearning, valueIteration, evaluatePolicy } from 'tengen/agents';

// Dynamic programming on FrozenLake's known model (env.unwrapped.P, as in Gymnasium).
const lake = make('FrozenLake-v1');
const { V, policy } = valueIteration(lake.unwrapped.P, 0.99);
console.log(`value iteration: V(start) = ${V[0].toFixed(3)}, greedy first move ${policy[0]}`);

// Q-learning on the non-slippery lake, then its greedy policy.
const agent = new QLearning(() => make('FrozenLake-v1', { isSlippery: false }), { seed: 1, epsilon: 0.2, learningRate: 0.5 });
await agent.learn(5_000);
const { mean } = evaluatePolicy((obs) => agent.predict(obs, true), make('FrozenLake-v1', { isSlippery: false }), 10);
console.log(`Q-learning after 5,000 steps: mean return ${mean.toFixed(2)} (1 = always reaches the goal)`);
