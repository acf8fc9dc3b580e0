/**
 * `tengen bestmove --game <g> [--model DIR] [--visits N]`: reads positions on stdin, one per line
 * as move lists (Connect Four in Pons' column digits, e.g. `4455`; tic-tac-toe as cells 1..9;
 * other games as move names), and prints `<position> <move>` per line. A bad line gets a one-line
 * error on stderr and processing goes on. Without --model the shipped net models/<game>/ (with a board
 * size in --params, models/<game>-<size>x<size>/) is used when present, else pure MCTS with random rollouts (said on stderr).
 */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { LinesFailedError, UserError } from '../util/errors.ts';
import { makeGame } from '../agents/alphazero/games.ts';
import { findNetDir } from '../agents/alphazero/net.ts';
import { moveToText, positionFromLine } from '../env/games/move-list.ts';
import { shippedNetFor } from '../agents/alphazero/shipped.ts';
import { loadGameNet } from '../players/net.ts';
import { searchPlayer } from '../players/search.ts';
import type { Player } from '../players/player.ts';

interface Flags {
  game: string;
  model?: string;
  visits?: string;
  params?: string;
  seed?: string;
  backend?: string;
}

/** Answer every line of `input`; returns how many lines failed (each said on `err`), and how many were read. */
export async function runBestmove(f: Flags, input: NodeJS.ReadableStream = process.stdin, out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<{ errors: number; lines: number }> {
  let params: Record<string, unknown> = {};
  if (f.params) {
    try {
      params = JSON.parse(f.params) as Record<string, unknown>;
    } catch {
      throw new UserError(`--params '${f.params}' is not valid JSON (expected e.g. '{"size":9}')`);
    }
  }
  const game = makeGame(f.game, params);
  const visits = f.visits === undefined ? undefined : Number(f.visits);
  if (visits !== undefined && !(Number.isInteger(visits) && visits >= 1)) throw new UserError(`--visits must be a positive integer, got '${f.visits}'`);
  const seed = f.seed === undefined ? 0 : Number(f.seed);
  if (!Number.isFinite(seed)) throw new UserError(`--seed must be a number, got '${f.seed}'`);
  let modelDir: string | null = null;
  if (f.model !== undefined) {
    modelDir = findNetDir(f.model);
    if (modelDir === null) throw new UserError(`--model ${f.model}: no net found (expected model.json there, or a selfplay run directory)`);
  } else {
    const shipped = shippedNetFor(game);
    if (shipped !== null) modelDir = findNetDir(shipped);
  }
  const limit = visits ?? (modelDir !== null ? 200 : 2000);
  let player: Player;
  if (modelDir !== null) {
    // onnxruntime where it loads (as self-play and the benches), else tfjs: the same outputs, faster.
    const net = await loadGameNet(modelDir, game, f.backend);
    player = searchPlayer(game, { evaluator: net.evaluator, budget: { visits: limit }, mcts: { cPuct: 1.5, batchSize: 8, virtualLoss: 3, reuseTree: false } })(seed);
    err(`tengen bestmove: ${game.name}, net ${modelDir} (${net.evaluator.kind}), ${limit} visits per move\n`);
  } else {
    player = searchPlayer(game, { budget: { visits: limit }, mcts: { reuseTree: false } })(seed);
    err(`tengen bestmove: no trained net for ${game.name} (no --model and no models/${game.name}/); using pure MCTS with ${limit} random rollouts\n`);
  }
  const rl = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let lines = 0;
  let errors = 0;
  for await (const raw of rl) {
    lineNo++;
    const line = raw.trim();
    if (line === '') continue;
    lines++;
    try {
      const s = positionFromLine(game, line);
      if (s.isTerminal()) throw new UserError('the game is already over in this position');
      const { action } = await player.chooseMove(s);
      out(`${line} ${moveToText(game, s, action)}\n`);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      errors++;
      err(`tengen bestmove: line ${lineNo} '${line}': ${e.message}\n`);
    }
  }
  return { errors, lines };
}

export function register(program: Command): void {
  program
    .command('bestmove')
    .description('read positions (move lists) on stdin, print "<position> <move>" for each')
    .requiredOption('--game <name>', 'game: tictactoe, connect4, othello, gomoku, go')
    .option('--model <dir>', 'trained net: a selfplay run directory or a saved net (default: models/<game>/, or models/<game>-<size>x<size>/ for a size in --params, if shipped)')
    .option('--visits <n>', 'search visits per position (default 200 with a net, 2000 rollouts without)')
    .option('--params <json>', 'game parameters, e.g. \'{"size":9}\'')
    .option('--seed <s>', 'search seed (default 0)')
    .action(async (opts: Flags, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as { backend?: string };
      const { errors, lines } = await runBestmove({ ...opts, backend: globals.backend });
      if (errors > 0) throw new LinesFailedError(errors, lines, 'answered');
    });
}
