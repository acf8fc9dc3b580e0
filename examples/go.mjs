// tengen/go: the fast Go board, rules (superko, Tromp-Taylor scoring), SGF and a GTP engine.
import { GoGame, writeSgf, parseSgf, GtpEngine } from 'tengen/go';
import { goEnginePlayer } from 'tengen/players';

const game = new GoGame({ size: 9, komi: 7 });
const state = game.newInitialState();
for (const move of ['E5', 'C3', 'G7', 'G3']) state.applyAction(state.stringToAction(move));
console.log(state.toString());

const sgf = writeSgf(state);
console.log(`SGF: ${sgf.replace(/\s+/g, ' ').slice(0, 70)}...`);
console.log(`read back: ${parseSgf(sgf).moves.length} moves on ${parseSgf(sgf).size}x${parseSgf(sgf).size}`);

// The GTP engine behind `tengen gtp`, given commands as a Go GUI sends them (the Monte-Carlo Go engine, 2000 playouts).
const player = goEnginePlayer({ budget: { visits: 2000 } })(1);
const engine = new GtpEngine({ size: 9, komi: 7, player });
for (const command of ['play black E5', 'genmove white', 'showboard']) {
  console.log(`> ${command}\n${await engine.handle(command)}`);
}
await player.close();
