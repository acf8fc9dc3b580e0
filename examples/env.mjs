// tengen/env: Gymnasium-style environments and OpenSpiel-style board games.
import { make, listEnvs, makeVec, makeGame } from 'tengen/env';

console.log(`${listEnvs().length} environments, e.g. ${listEnvs().slice(0, 4).join(', ')}`);

// FrozenLake: the same seed gives the same slippery walk.
const lake = make('FrozenLake-v1');
let { observation } = lake.reset({ seed: 7 });
let total = 0;
for (let t = 0, done = false; !done; t++) {
  const r = lake.step(2); // always try to move right
  observation = r.observation;
  total += r.reward;
  done = r.terminated || r.truncated;
}
console.log(`FrozenLake ended in state ${observation} with reward ${total}`);
console.log(lake.render());

// Four CartPoles stepped as one batch (autoreset as in Gymnasium's vector API).
const vec = makeVec('CartPole-v1', 4);
vec.reset({ seed: 1 });
const r = vec.step([0, 1, 0, 1]);
console.log(`vector step rewards: ${Array.from(r.rewards).join(' ')}`);

// Tic-tac-toe through the Game/State contract.
const game = makeGame('tictactoe');
const state = game.newInitialState();
for (const move of [4, 0, 2, 6, 3, 5, 1, 7, 8]) state.applyAction(move);
console.log(state.toString());
console.log(`terminal: ${state.isTerminal()}, returns ${state.returns().join(' / ')}`);
