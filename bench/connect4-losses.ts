/**
 * Where a Connect Four net loses against pure UCT: plays the match of bench/connect4-strength.ts and,
 * for each lost game, walks back over the net's moves to the last one it played from a position that
 * was not lost (the solver's verdict), and prints that move with the solver's scores (Pons' convention:
 * positive = the side to move wins, larger = sooner) and how many plies later the opponent's win comes
 * under perfect play: a short horizon is a tactical miss, a long one a strategic one.
 *
 *   npx tsx bench/connect4-losses.ts [--model models/connect4] [--visits 800] [--uct 1000] [--games 100] [--seed 1001] [--batch 8]
 *
 * Positions with fewer than 7 stones are not solved (the solver has no opening book; they take minutes).
 */
import { columnScores } from '../src/env/solvers/connect4.ts';
import { connect4FromMoves } from '../src/env/games/connect4.ts';
import { initBackend } from '../src/nets/backend.ts';
import { matchAgainstUct, openConnect4Player, parseFlagPairs } from './connect4-measure.ts';

const args = parseFlagPairs(process.argv.slice(2), ['model', 'visits', 'uct', 'games', 'seed', 'batch']);
const int = (k: string, def: number): number => {
  const v = Number(args.get(k) ?? def);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${k}: expected a positive integer, got '${args.get(k)}'`);
  return v;
};
const modelArg = args.get('model') ?? 'models/connect4';
const visits = int('visits', 800);
const uct = int('uct', 1000);
const games = int('games', 100);
const seed = int('seed', 1001);
const batch = int('batch', 8);

await initBackend({ quiet: true });
const { dir, agent, close } = await openConnect4Player(modelArg, { visits, mctsBatchSize: batch });
const m = await matchAgainstUct(agent, uct, games, seed);
console.log(`net ${dir}, ${visits} simulations (${batch} leaves per net call) against UCT ${uct}, ${games} games, seed ${seed}: +${m.wins} =${m.draws} -${m.losses}`);
console.log('');
console.log('| game | net plays | decisive move (ply) | game length | column played (solver score) | best score | opponent wins at ply | horizon (plies) |');
console.log('|---:|---|---:|---:|---|---:|---:|---:|');
for (const g of m.games) {
  if (g.aReturn >= 0) continue;
  const moves = g.moves.map((a) => a + 1).join('');
  let row = `| ${g.index} | ${g.aPlayer === 0 ? 'first' : 'second'} | lost before ply 8 | ${g.moves.length} | | | | |`;
  for (let ply = g.moves.length - 1; ply >= 7; ply--) {
    if (ply % 2 !== g.aPlayer) continue;
    const scores = columnScores(connect4FromMoves(moves.slice(0, ply)));
    const top = Math.max(...scores.filter((x): x is number => x !== null));
    if (top < 0) continue;
    const played = scores[g.moves[ply]!]!;
    // A score of -s for the mover: the opponent wins with its move at 1-based ply 44 - 2s (second player) or 43 - 2s (first).
    const winPly = (g.aPlayer === 0 ? 44 : 43) - 2 * Math.abs(played);
    const sign = (x: number): string => (x > 0 ? `+${x}` : String(x));
    row = `| ${g.index} | ${g.aPlayer === 0 ? 'first' : 'second'} | ${ply + 1} | ${g.moves.length} | ${g.moves[ply]! + 1} (${sign(played)}) | ${sign(top)} | ${winPly} | ${winPly - (ply + 1)} |`;
    break;
  }
  console.log(row);
}
await close();
