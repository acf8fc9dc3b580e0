import { make, makeGame, MCTS, PPO, evaluatePolicy } from 'tengen';

// A Gymnasium environment: one CartPole episode with random actions.
const env = make('CartPole-v1');
let { observation } = env.reset({ seed: 42 });
env.actionSpace.seed(42);
let steps = 0;
for (let done = false; !done; steps++) {
  const r = env.step(env.actionSpace.sample());
  observation = r.observation;
  done = r.terminated || r.truncated;
}
console.log(`random CartPole episode: ${steps} steps, last pole angle ${observation[2].toFixed(3)} rad`);

// An OpenSpiel-style board game and Monte Carlo tree search (UCT with random rollouts).
const game = makeGame('connect4');
const state = game.newInitialState();
const mcts = new MCTS(game, { seed: 1 });
const { action, rootValue } = await mcts.search(state, { visits: 2000 });
console.log(`MCTS opens Connect Four with ${state.actionToString(action)} (value ${rootValue.toFixed(2)})`);

// PPO (a Stable-Baselines3-shaped API) on 8 copies of CartPole.
const agent = new PPO(() => make('CartPole-v1'), { nEnvs: 8, seed: 1 });
await agent.learn(20_000);
const { mean } = evaluatePolicy((obs) => agent.predict(obs, true), make('CartPole-v1'), 5);
console.log(`PPO after 20,000 steps: mean return ${mean.toFixed(1)} over 5 episodes`);
agent.dispose();
