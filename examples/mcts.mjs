// tengen/mcts: Monte Carlo tree search over any Game (UCT with random rollouts, or PUCT with an evaluator).
import { makeGame } from 'tengen/env';
import { MCTS } from 'tengen/mcts';

const game = makeGame('tictactoe');
const state = game.newInitialState();
state.applyAction(0); // X in a corner
state.applyAction(1); // O next to it: a mistake
const mcts = new MCTS(game, { seed: 3 });
const result = await mcts.search(state, { visits: 5_000 });
console.log(state.toString());
// The search stops early once it proves a win (value 1 for the player to move).
console.log(`X to move: MCTS plays ${state.actionToString(result.action)}, value ${result.rootValue.toFixed(2)} after ${result.totalVisits} visits`);
