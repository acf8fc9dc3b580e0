/**
 * Random-playout speed of the fast Go board vs @sabaki/go-board, one thread, 9x9 and 19x19.
 * Both play legal moves only, never fill their own eye, pass only when nothing else, play to the
 * end (two passes) and score by area. Sabaki checks only simple ko, so its playouts are capped at
 * 3 * N * N moves (ours too, as a safety cap). Prints a table and writes bench/results/go.md.
 *
 *   npx tsx bench/go.ts [--seconds 3]
 */
import GoBoardImport from '@sabaki/go-board';
import { Board } from '../src/env/games/go/board.ts';
import { Rng } from '../src/util/rng.ts';
import { writeFileAtomic } from '../src/util/fs.ts';

type Vertex = [number, number];
interface SabakiBoard {
  get(v: Vertex): number;
  makeMove(sign: number, v: Vertex, o: { preventSuicide: boolean; preventOverwrite: boolean; preventKo: boolean }): SabakiBoard;
  getNeighbors(v: Vertex): Vertex[];
}
const GoBoard = GoBoardImport as unknown as { fromDimensions(w: number, h?: number): SabakiBoard };

const secArg = process.argv.indexOf('--seconds');
const SECONDS = secArg > 0 ? Number(process.argv[secArg + 1]) : 3;

function ours(n: number, seconds: number): { playouts: number; moves: number; ms: number; blackWins: number } {
  const rng = new Rng(1);
  const start = new Board(n);
  const b = new Board(n);
  let playouts = 0;
  let moves = 0;
  let blackWins = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    for (let k = 0; k < 20; k++) {
      b.copyFrom(start);
      moves += b.playout(1, rng, 3 * n * n);
      if (b.score(7.5) > 0) blackWins++;
      playouts++;
    }
  }
  return { playouts, moves, ms: performance.now() - t0, blackWins };
}

function sabaki(n: number, seconds: number): { playouts: number; moves: number; ms: number } {
  const rng = new Rng(1);
  let playouts = 0;
  let moves = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const opts = { preventSuicide: true, preventOverwrite: true, preventKo: true };
  while (performance.now() < end) {
    let board = GoBoard.fromDimensions(n);
    let sign = 1;
    let passes = 0;
    let m = 0;
    while (passes < 2 && m < 3 * n * n) {
      const empties: Vertex[] = [];
      for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) if (board.get([x, y]) === 0) empties.push([x, y]);
      rng.shuffle(empties);
      let played = false;
      for (const v of empties) {
        if (board.getNeighbors(v).every((u) => board.get(u) === sign)) continue; // own eye
        try {
          board = board.makeMove(sign, v, opts);
          played = true;
          break;
        } catch {
          // illegal: try the next point
        }
      }
      passes = played ? 0 : passes + 1;
      m++;
      sign = -sign;
    }
    let area = 0;
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) area += board.get([x, y]);
    void area;
    moves += m;
    playouts++;
  }
  return { playouts, moves, ms: performance.now() - t0 };
}

const rows: string[] = [];
const lines: string[] = ['| size | engine | playouts/s | moves/s | moves/playout | ratio (moves/s) |', '|---|---|---|---|---|---|'];
for (const n of [9, 19]) {
  ours(n, 0.3); // warm up
  const a = ours(n, SECONDS);
  const s = sabaki(n, SECONDS);
  const aps = (a.playouts * 1000) / a.ms;
  const amps = (a.moves * 1000) / a.ms;
  const sps = (s.playouts * 1000) / s.ms;
  const smps = (s.moves * 1000) / s.ms;
  const ratio = amps / smps;
  lines.push(`| ${n}x${n} | tengen Board | ${aps.toFixed(0)} | ${amps.toFixed(0)} | ${(a.moves / a.playouts).toFixed(1)} | ${ratio.toFixed(1)}x |`);
  lines.push(`| ${n}x${n} | @sabaki/go-board | ${sps.toFixed(0)} | ${smps.toFixed(0)} | ${(s.moves / s.playouts).toFixed(1)} | 1x |`);
  rows.push(`${n}x${n}: tengen ${aps.toFixed(0)} playouts/s (${amps.toFixed(0)} moves/s, black wins ${((100 * a.blackWins) / a.playouts).toFixed(1)}% at komi 7.5); sabaki ${sps.toFixed(0)} playouts/s (${smps.toFixed(0)} moves/s); ratio ${ratio.toFixed(1)}x`);
}
const table = lines.join('\n');
console.log(table);
for (const r of rows) console.log(r);
const md = `# Go random playouts (one thread)\n\nRun: \`npx tsx bench/go.ts --seconds ${SECONDS}\` on ${new Date().toISOString()}, Node ${process.version}.\n` +
  `Both: legal moves only, no filling of own eyes, pass only when nothing else, to two passes, area-scored; cap 3*N*N moves.\n\n${table}\n\n${rows.map((r) => `- ${r}`).join('\n')}\n`;
writeFileAtomic('bench/results/go.md', md);
