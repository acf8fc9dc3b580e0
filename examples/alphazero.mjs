// tengen/alphazero: the shipped Connect Four net (180 min of AlphaZero self-play) guiding MCTS.
import { makeGame } from 'tengen/env';
import { MCTS } from 'tengen/mcts';
import { loadNet, shippedNetFor } from 'tengen/alphazero';
import { createBestEvaluator } from 'tengen/nets';

const game = makeGame('connect4');
const { model, spec } = await loadNet(shippedNetFor(game));
console.log(`shipped net: ${spec.arch} ${spec.blocks}x${spec.filters}`);

// Columns are numbered 1..7 from the left; both sides have played in the centre.
const state = game.newInitialState();
for (const column of [4, 4, 3]) state.applyAction(state.stringToAction(String(column)));
console.log(state.toString());

const evaluator = await createBestEvaluator(game, model); // onnxruntime where it is installed, else tfjs
const mcts = new MCTS(game, { evaluator, seed: 1 });
const { action, rootValue } = await mcts.search(state, { visits: 400 });
console.log(`${state.currentPlayer() === 0 ? 'X' : 'O'} to move: the net and 400 visits choose ${state.actionToString(action)} (value ${rootValue.toFixed(2)})`);
