import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBestmove } from '../../src/commands/bestmove.ts';
import { runArena } from '../../src/commands/arena.ts';
import { tictactoeFromMoves, tictactoeOptimalMoves } from '../../src/env/solvers/tictactoe.ts';
import { UserError } from '../../src/util/errors.ts';
import { gnugoAvailable } from '../../src/agents/alphazero/gnugo-yardstick.ts';
import { gnugoPath } from '../../src/env/games/go/match.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const gnugo = gnugoAvailable() ? gnugoPath() : undefined;

describe('tengen bestmove', () => {
  it('exits 1 with the count when any line failed (0 only when every line was answered)', () => {
    const bad = spawnSync(process.execPath, ['bin/tengen.js', 'bestmove', '--game', 'tictactoe', '--visits', '20'], { cwd: repo, input: '1x\n99\n', encoding: 'utf8', timeout: 60_000 });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('tengen: 2 of 2 input lines could not be answered (see the errors above)');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const good = spawnSync(process.execPath, ['bin/tengen.js', 'bestmove', '--game', 'tictactoe', '--visits', '20'], { cwd: repo, input: '5\n', encoding: 'utf8', timeout: 60_000 });
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/^5 [1-9]\n$/);
  }, 60_000);

  it('answers each line, reports bad lines on stderr and goes on', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const n = await runBestmove({ game: 'tictactoe', visits: '3000' }, Readable.from(['15\n', '1x\n', '\n', '1524\n']), (s) => out.push(s), (s) => err.push(s));
    expect(n).toEqual({ errors: 1, lines: 3 });
    expect(out).toHaveLength(2);
    expect(err.some((e) => /line 2 '1x'.*not a cell/.test(e))).toBe(true);
    // Without --model: the net shipped in models/tictactoe/, else pure MCTS; stderr says which.
    const shipped = existsSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'models', 'tictactoe', 'model.json'));
    expect(err.some((e) => (shipped ? /tictactoe, net .*models[\\/]tictactoe/ : /pure MCTS/).test(e))).toBe(true);
    for (const line of out) {
      const [pos, move] = line.trim().split(' ');
      // 3000 visits (rollouts or net-guided) find an optimal move in these small positions.
      expect(tictactoeOptimalMoves(tictactoeFromMoves(pos!))).toContain(Number(move) - 1);
    }
  });

  it('uses the shipped net for the board size in --params (models/go-9x9), and pure MCTS where none ships', async () => {
    const out: string[] = [];
    const err: string[] = [];
    await runBestmove({ game: 'go', params: '{"size":9}', visits: '16', backend: 'cpu' }, Readable.from(['E5 C3\n']), (s) => out.push(s), (s) => err.push(s));
    expect(err.some((e) => /go, net .*models[\\/]go-9x9/.test(e))).toBe(true);
    expect(out[0]).toMatch(/^E5 C3 ([A-HJ][1-9]|pass)\n$/);
    const err13: string[] = [];
    await runBestmove({ game: 'go', params: '{"size":13}', visits: '16' }, Readable.from(['\n']), () => {}, (s) => err13.push(s));
    expect(err13.some((e) => /pure MCTS/.test(e))).toBe(true);
  }, 60_000);

  it('reads Connect Four positions in Pons notation', async () => {
    const out: string[] = [];
    const err: string[] = [];
    await runBestmove({ game: 'connect4', visits: '50' }, Readable.from(['4455\n', '8\n']), (s) => out.push(s), (s) => err.push(s));
    expect(out[0]).toMatch(/^4455 [1-7]\n$/);
    expect(err.some((e) => /line 2 '8'.*column digit 1\.\.7/.test(e))).toBe(true);
  });
});

describe('tengen arena', () => {
  it('reports W/D/L with a confidence interval', async () => {
    const out: string[] = [];
    const progress: string[] = [];
    await runArena({ a: 'solver', b: 'random', game: 'tictactoe', games: '10' }, (s) => out.push(s), (s) => progress.push(s));
    const text = out.join('');
    expect(text).toMatch(/losses 0;/);
    expect(text).toMatch(/95% CI/);
    // a line per finished game, on the progress stream, not in the result
    expect(progress).toHaveLength(10);
    expect(progress[9]).toMatch(/^arena: 10\/10 games done, \d+ s\n$/);
    expect(text).not.toMatch(/games done/);
  });

  const engine = (genmove: string): string => `gtp:${process.execPath} ${fileURLToPath(new URL('../fixtures/go/pass-engine.mjs', import.meta.url))} 0 ${genmove}`;

  it('plays an external GTP engine (Go): its moves, its resignation, its bad answers', async () => {
    const out: string[] = [];
    await runArena({ a: engine('resign'), b: 'random', game: 'go', params: '{"size":5}', games: '2' }, (s) => out.push(s));
    expect(out.join('')).toMatch(/A wins 0, draws 0, losses 2;/);
    // A passing engine against one that passes too: two passes end each game on an empty board, White wins on komi.
    const passes: string[] = [];
    await runArena({ a: engine('pass'), b: engine('pass'), game: 'go', params: '{"size":5}', games: '2' }, (s) => passes.push(s));
    expect(passes.join('')).toMatch(/A wins 1, draws 0, losses 1;/);
    await expect(runArena({ a: engine('Z9'), b: 'random', game: 'go', params: '{"size":5}', games: '1' })).rejects.toThrow(/answered genmove with 'z9', not a vertex of the 5x5 board/);
    await expect(runArena({ a: engine('pass'), b: 'random', game: 'connect4', games: '1' })).rejects.toThrow(/gtp agents play Go only/);
  }, 60_000);

  it.skipIf(!gnugo)('GNU Go through gtp: beats random on 5x5 from both colours', async () => {
    const out: string[] = [];
    await runArena({ a: `gtp:${gnugo} --mode gtp --level 0`, b: 'random', game: 'go', params: '{"size":5,"komi":0.5}', games: '2' }, (s) => out.push(s));
    expect(out.join('')).toMatch(/A wins 2, draws 0, losses 0;/);
  }, 60_000);

  it('plays the shipped net as agent shipped, and says where none ships', async () => {
    // Through the CLI, in a fresh process: the tensor backend is started for 'shipped' as for checkpoint:DIR.
    const r = spawnSync(process.execPath, ['bin/tengen.js', 'arena', '--a', 'shipped', '--b', 'random', '--game', 'connect4', '--games', '4', '--visits', '50'], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toMatch(/tengen: /);
    expect(r.stdout).toMatch(/connect4: shipped vs random, 4 games/);
    expect(r.stdout).toMatch(/A wins 4, draws 0, losses 0;/);
    expect(r.status).toBe(0);
    await expect(runArena({ a: 'shipped', b: 'random', game: 'othello', games: '1' })).rejects.toThrow(/no net ships for othello 8x8/);
    await expect(runArena({ a: 'shipped:x', b: 'random', game: 'connect4', games: '1' })).rejects.toThrow(/takes no argument/);
  }, 60_000);

  it('rejects unknown agents clearly', async () => {
    await expect(runArena({ a: 'alphabeta', b: 'random', game: 'tictactoe' })).rejects.toThrow(UserError);
    await expect(runArena({ a: 'mcts:0', b: 'random', game: 'tictactoe' })).rejects.toThrow(/mcts:N/);
  });
});
