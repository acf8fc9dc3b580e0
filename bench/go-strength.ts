/**
 * Go strength against GNU Go 3.8: `tengen gtp` (its defaults, or --engine CMD) against
 * `gnugo --mode gtp --level L --chinese-rules`, colours alternating, komi 7.5 with area scoring (GNU Go
 * counts Japanese-style unless told otherwise), games ended by passes scored by GNU Go's final_score (it
 * removes dead stones), SGFs kept. Prints and writes per (board size, level): wins,
 * the win rate with its 95% Wilson interval, seconds per move (mean and longest, as the referee timed
 * the genmove replies) and, on 13x13 and up, the opening check: tengen moves on the first two lines
 * among its first 10 moves that neither captured nor answered a move within distance 2.
 *
 *   npx tsx bench/go-strength.ts --size 9 --levels 1,10 --games 100 [--parallel 2] [--engine CMD] [--tag T]
 *
 * --parallel K plays K shards of the games at once (separate processes, seeds base+shard): with a
 * playout budget the moves do not depend on the machine's load, so this changes only the wall time,
 * not the games; the s/move figures then include the contention and are measured separately
 * (--parallel 1) for the time target. Results: bench/results/go-strength.md (one row per size, level
 * and tag) and the games as one SGF collection per row in bench/results/go-strength/.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../src/util/fs.ts';
import { gnugoPath, runMatch, type GameRecord } from '../src/env/games/go/match.ts';
import { wilson } from '../src/util/elo.ts';
import { loadSgf } from '../src/env/games/go/sgf.ts';

function flag(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

const size = Number(flag('size', '9'));
const levels = flag('levels', '1').split(',').map(Number);
const games = Number(flag('games', '100'));
const parallel = Math.max(1, Number(flag('parallel', '1')));
const engine = flag('engine', 'node bin/tengen.js gtp');
const seed = Number(flag('seed', '1'));
const tag = flag('tag', 'default');
const komi = 7.5;
const outMd = flag('out', 'bench/results/go-strength.md');

interface Row {
  key: string;
  line: string;
}

/** tengen's first-10-move edge moves that neither captured nor answered a nearby move. */
function openingEdgeMoves(sgfPath: string, tengenIsBlack: boolean): number {
  const full = loadSgf(readFileSync(sgfPath, 'utf8'));
  const n = full.game.n;
  const moves = full.history();
  const s = full.game.newInitialState();
  let bad = 0;
  let own = 0;
  for (let i = 0; i < moves.length && own < 10; i++) {
    const a = moves[i]!;
    const mine = (s.nextColor() === 0) === tengenIsBlack;
    const before = s.board.captures[1]! + s.board.captures[2]!;
    const prev = i > 0 ? moves[i - 1]! : -1;
    s.applyAction(a);
    if (!mine || a === n * n) continue;
    own++;
    const r = Math.floor(a / n);
    const c = a % n;
    const line = Math.min(r, c, n - 1 - r, n - 1 - c) + 1;
    if (line > 2) continue;
    const captured = s.board.captures[1]! + s.board.captures[2]! > before;
    const answered = prev >= 0 && prev < n * n && Math.abs(Math.floor(prev / n) - r) + Math.abs((prev % n) - c) <= 2;
    if (!captured && !answered) bad++;
  }
  return bad;
}

async function playLevel(level: number): Promise<Row> {
  const dir = join('runs', 'go-strength', `${size}x${size}-level${level}-${tag}`);
  mkdirSync(dir, { recursive: true });
  const gnugo = `${gnugoPath()} --mode gtp --level ${level} --chinese-rules`;
  const per = Math.ceil(games / parallel);
  const shards: Promise<GameRecord[]>[] = [];
  for (let k = 0; k < parallel; k++) {
    const first = k * per;
    const count = Math.min(per, games - first);
    if (count <= 0) break;
    shards.push(runMatch({
      black: `${engine} --seed ${seed + k}`, white: gnugo, games: count, firstGame: first, size, komi,
      sgfDir: dir, referee: 1, log: (l) => console.log(`[level ${level} shard ${k}] ${l}`),
    }).then((m) => m.games));
  }
  const all = (await Promise.all(shards)).flat().sort((a, b) => a.index - b.index);
  const wins = all.filter((g) => g.winner === 0).length;
  const draws = all.filter((g) => g.winner === -1).length;
  const score = wins + draws / 2;
  const [lo, hi] = wilson(score, all.length);
  const moves = all.reduce((t, g) => t + g.genmoves[0], 0);
  const ms = all.reduce((t, g) => t + g.thinkMs[0], 0);
  const maxMs = Math.max(...all.map((g) => g.maxThinkMs[0]));
  const resigned = all.filter((g) => g.scoredBy === 'resign').length;
  const edge = size >= 13 ? all.map((g) => openingEdgeMoves(g.sgfPath, g.blackEngine === 0)) : [];
  const edgeText = size >= 13 ? `${edge.reduce((a, b) => a + b, 0)} in ${edge.filter((x) => x > 0).length} games` : 'n/a';
  const sgfDir = join(dirname(outMd), 'go-strength');
  const sgfOut = join(sgfDir, `${size}x${size}-level${level}-${tag}.sgf`);
  mkdirSync(sgfDir, { recursive: true });
  writeFileAtomic(sgfOut, all.map((g) => readFileSync(g.sgfPath, 'utf8').trim()).join('\n') + '\n');
  const pct = (x: number): string => (100 * x).toFixed(1);
  const summary = `${size}x${size} vs GNU Go level ${level} [${tag}]: ${wins} wins, ${draws} draws, ${all.length - wins - draws} losses of ${all.length}: ` +
    `${pct(score / all.length)}% (95% CI ${pct(lo)}-${pct(hi)}%); ${(ms / Math.max(1, moves) / 1000).toFixed(2)} s/move mean, ${(maxMs / 1000).toFixed(2)} max` +
    `${size >= 13 ? `; opening edge moves ${edgeText}` : ''}`;
  console.log(summary);
  const line = `| ${size}x${size} | ${level} | ${tag} | ${all.length} | ${wins} | ${draws} | **${pct(score / all.length)}%** (${pct(lo)}-${pct(hi)}) | ` +
    `${(ms / Math.max(1, moves) / 1000).toFixed(2)} / ${(maxMs / 1000).toFixed(2)} | ${resigned} | ${edgeText} | ${parallel} | \`${engine}\` | ${new Date().toISOString().slice(0, 16)} |`;
  return { key: `| ${size}x${size} | ${level} | ${tag} |`, line };
}

const HEADER = `# Go strength against GNU Go 3.8

\`npx tsx bench/go-strength.ts\` (see its header). Komi 7.5, area scoring (GNU Go with --chinese-rules), colours alternating,
games ended by passes scored by GNU Go's final_score. s/move: mean / longest genmove reply of tengen as timed by the referee (with --parallel > 1 the two shards
share the 2 cores, so the time columns of such rows are not the time target's measurement). Games: go-strength/*.sgf.

| board | GNU Go level | tag | games | wins | draws | win rate (95% CI) | s/move mean / max | resigned | opening edge moves | parallel | engine | when |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
`;

const rows: Row[] = [];
for (const level of levels) rows.push(await playLevel(level));
let text = existsSync(outMd) ? readFileSync(outMd, 'utf8') : HEADER;
if (!text.includes('| board | GNU Go level |')) text = HEADER + '\n' + text;
for (const r of rows) {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.startsWith(r.key));
  if (i >= 0) lines[i] = r.line;
  else {
    let last = lines.length - 1;
    while (last > 0 && !lines[last]!.startsWith('|')) last--;
    lines.splice(last + 1, 0, r.line);
  }
  text = lines.join('\n');
}
writeFileAtomic(outMd, text);
