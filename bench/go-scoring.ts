/**
 * Does tengen count finished Go games as GNU Go does? For each finished game (two passes at the end),
 * both engines load it over GTP (`loadsgf`) and answer `final_score` and `final_status_list dead`:
 * tengen's default engine (dead stones from its playouts' ownership, src/env/games/go/scoring.ts) and
 * GNU Go 3.8 (`--chinese-rules --level 10`, area counting as the komi of these games assumes).
 * Prints and writes to bench/results/go-scoring.md: games compared, same winner, same score, same
 * dead stones.
 *
 *   npx tsx bench/go-scoring.ts [--games 100] [--playouts 8000] [--sgf PATH ...]
 *
 * Default games: the GNU Go regression suite's 9x9 games (../shared/data/go, GNU Go self-play played
 * to the end; skipped with a message where absent) and the games of bench/results/go-strength/ that
 * ended by passes. Each path may be an .sgf file (one game or a collection) or a directory of them.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GtpEngine } from '../src/env/games/go/gtp.ts';
import { GtpClient, gnugoPath, normScore } from '../src/env/games/go/match.ts';
import { loadSgf } from '../src/env/games/go/sgf.ts';
import { goEnginePlayer } from '../src/players/go-engine.ts';
import { writeFileAtomic } from '../src/util/fs.ts';

function flagValues(name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < process.argv.length; i++) if (process.argv[i] === `--${name}` && process.argv[i + 1]) out.push(process.argv[i + 1]!);
  return out;
}
const maxGames = Number(flagValues('games')[0] ?? '100');
const playouts = Number(flagValues('playouts')[0] ?? '8000');
const shared = join('..', 'shared', 'data', 'go', 'gnugo_regression_9x9_games');
let paths = flagValues('sgf');
if (paths.length === 0) {
  paths = [join('bench', 'results', 'go-strength')];
  if (existsSync(shared)) paths.unshift(shared);
  else console.log(`(${shared} is absent: the GNU Go regression games are left out)`);
}

/** Every game in the files under `paths` (collections split into games). */
function games(): { name: string; sgf: string }[] {
  const out: { name: string; sgf: string }[] = [];
  const files: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) continue;
    if (statSync(p).isDirectory()) for (const f of readdirSync(p).sort()) if (f.endsWith('.sgf')) files.push(join(p, f));
    if (statSync(p).isFile()) files.push(p);
  }
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const parts = text.split(/\n(?=\(;)/).map((t) => t.trim()).filter((t) => t.startsWith('(;'));
    parts.forEach((sgf, i) => out.push({ name: parts.length > 1 ? `${f}#${i + 1}` : f, sgf }));
  }
  return out;
}

/** Ended by two passes (and not by resignation): what final_score is for. */
function finished(sgf: string): boolean {
  try {
    const s = loadSgf(sgf, { maxMoves: 100_000 });
    const h = s.history();
    const pass = s.game.pass;
    return s.resignedPlayer() === -1 && h.length >= 2 && h[h.length - 1] === pass && h[h.length - 2] === pass;
  } catch {
    return false;
  }
}

const all = games().filter((g) => finished(g.sgf)).slice(0, maxGames);
const dir = mkdtempSync(join(tmpdir(), 'tengen-scoring-'));
const player = goEnginePlayer({ budget: { visits: playouts }, resignWinrate: null })(1);
const ours = new GtpEngine({ size: 9, player });
const gnugo = new GtpClient('gnugo', `${gnugoPath()} --mode gtp --chinese-rules --level 10`);
const reply = (r: string): string => r.replace(/^[=?]\d*\s?/, '').trim();
let sameWinner = 0;
let sameScore = 0;
let sameDead = 0;
const differ: string[] = [];
try {
  for (const [i, g] of all.entries()) {
    const path = join(dir, `game-${i}.sgf`);
    writeFileSync(path, g.sgf);
    const load = reply(await ours.handle(`loadsgf ${path}`));
    if (load !== '') throw new Error(`tengen could not load ${g.name}: ${load}`);
    await gnugo.send(`loadsgf ${path}`);
    const a = normScore(reply(await ours.handle('final_score')));
    const b = normScore(await gnugo.send('final_score'));
    const deadA = reply(await ours.handle('final_status_list dead')).split(/\s+/).filter(Boolean).sort().join(' ');
    const deadB = (await gnugo.send('final_status_list dead')).split(/\s+/).filter(Boolean).map((v) => v.toUpperCase()).sort().join(' ');
    const winner = (s: string): string => s.slice(0, 1);
    if (winner(a) === winner(b)) sameWinner++;
    if (a === b) sameScore++;
    if (deadA === deadB) sameDead++;
    if (a !== b || deadA !== deadB) differ.push(`${g.name}: tengen ${a} dead [${deadA}], GNU Go ${b} dead [${deadB}]`);
    console.log(`${i + 1}/${all.length} ${g.name}: tengen ${a}, GNU Go ${b}${deadA === deadB ? '' : ' (dead stones differ)'}`);
  }
} finally {
  await gnugo.close();
  await player.close?.();
}
const n = all.length;
const pct = (k: number): string => `${k} (${((100 * k) / Math.max(1, n)).toFixed(0)}%)`;
const line = `${n} finished games: same winner ${pct(sameWinner)}, same score ${pct(sameScore)}, same dead stones ${pct(sameDead)}`;
console.log(line);
writeFileAtomic(join('bench', 'results', 'go-scoring.md'), `# Counting finished Go games: tengen against GNU Go

\`npx tsx bench/go-scoring.ts --games ${maxGames} --playouts ${playouts}\` on ${new Date().toISOString().slice(0, 10)}. Both engines load each finished
game (two passes at the end) over GTP and answer \`final_score\` and \`final_status_list dead\`: tengen's Go engine
(${playouts} playouts for the ownership estimate) and GNU Go 3.8 (\`--chinese-rules --level 10\`). Games: ${paths.join(', ')}.

**${line}.**

Where they differ:

${differ.map((d) => `- ${d}`).join('\n') || '- nowhere'}
`);
