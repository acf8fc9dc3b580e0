// tengen/players: everything that picks a move in play, behind one Player interface.
import { makeGame } from 'tengen/env';
import { playMatch, randomPlayer, uctPlayer } from 'tengen/players';

const game = makeGame('connect4');
// UCT with 200 random rollouts per move against uniformly random moves, 6 games, colours alternating.
const result = await playMatch(game, uctPlayer(game, 200), randomPlayer(), 6, 1);
console.log(`UCT 200 vs random on Connect Four: ${result.wins} wins, ${result.draws} draws, ${result.losses} losses`);
