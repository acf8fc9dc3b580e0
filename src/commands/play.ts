/**
 * `tengen play --game <g> [--model DIR] [--visits N] [--color first|second|black|white|x|o]`:
 * play against the agent. On a terminal it opens the Ink play screen; off a terminal (a pipe, a
 * script) it reads one move per line from stdin and prints the board after each move.
 */
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { Command } from 'commander';
import React from 'react';
import { makeGame, listGames } from '../env/games/index.ts';
import type { Game, Player, State } from '../env/games/game.ts';
import { UserError } from '../util/errors.ts';
import { numberFlag } from '../util/flags.ts';
import { writeFileAtomic } from '../util/fs.ts';
import { shippedNetFor } from '../agents/alphazero/shipped.ts';
import { mctsAgent, type PlayAgent } from '../../tui/play-agent.ts';
import { loadInk } from '../../tui/load-ink.ts';

/**
 * The agent for a net: PUCT search guided by the net's policy and value. `dir` may be a net
 * directory, a selfplay run directory (its best net) or a checkpoint.
 */
export async function netPlayAgent(game: Game, state: State, dir: string, visits: number, timeMs: number | undefined, backend?: string): Promise<PlayAgent> {
  const { createBestEvaluator } = await import('../nets/best-evaluator.ts');
  const { openNet, checkNetFits } = await import('../agents/alphazero/agent-spec.ts');
  const { dir: found, net } = await openNet(dir, backend);
  checkNetFits(net.spec.inputShape, net.spec.numActions, game, found);
  // onnxruntime where it loads (as self-play and the benches), else tfjs.
  const evaluator = await createBestEvaluator(game, net.model);
  return mctsAgent(state, {
    visits,
    timeMs,
    name: `PUCT ${timeMs ? `${timeMs / 1000} s` : `${visits} visits`} + net ${dir}`,
    mcts: { evaluator, batchSize: 8, virtualLoss: 3 },
  });
}

interface PlayOptions {
  game: string;
  model?: string;
  visits: string;
  time?: string;
  color: string;
  size?: string;
  saveDir: string;
}

function parseColor(c: string): Player {
  const v = c.toLowerCase();
  if (['first', 'black', 'x', 'b', 'red'].includes(v)) return 0;
  if (['second', 'white', 'o', 'w', 'yellow'].includes(v)) return 1;
  throw new UserError(`--color must be first|second (or black|white, x|o), got '${c}'`);
}

/** Save the finished (or abandoned) game as a move list, one line; returns the path. */
export function saveMoveList(dir: string, state: State, result: string): string {
  // Replay to name each move in its own position (names can depend on the position).
  const moves = state.history();
  const replay = state.game.newInitialState();
  const names: string[] = [];
  for (const a of moves) {
    names.push(replay.actionToString(a));
    replay.applyAction(a);
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = join(dir, `${state.game.name}-${stamp}.txt`);
  writeFileAtomic(path, `# tengen play ${state.game.name} ${JSON.stringify(state.game.params)}\n# result: ${result}\n${names.join(' ')}\n`);
  return path;
}

async function plainMode(state: State, agent: PlayAgent, human: Player, save: (s: State, r: string) => string): Promise<void> {
  const out = (s: string): boolean => process.stdout.write(s + '\n');
  const rl = createInterface({ input: process.stdin, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  out(`${state.game.name}: you play ${human === 0 ? 'first' : 'second'} against ${agent.name}; one move per line ('quit' stops)`);
  out(state.toString());
  while (!state.isTerminal()) {
    if (state.currentPlayer() !== human) {
      const res = await agent.think(state.clone());
      out(`agent plays ${state.actionToString(res.action)}`);
      state.applyAction(res.action);
      agent.played(res.action);
      out(state.toString());
      continue;
    }
    process.stdout.write('your move: ');
    const next = await lines.next();
    if (next.done) break;
    const text = next.value.trim();
    if (text === '') continue;
    if (text === 'quit') break;
    try {
      const a = state.stringToAction(text);
      state.applyAction(a);
      agent.played(a);
      out(state.toString());
    } catch (e) {
      out(`refused: ${(e as Error).message}`);
    }
  }
  rl.close();
  const r = state.returns();
  const result = !state.isTerminal() ? 'unfinished' : r[human] > 0 ? 'you win' : r[human] < 0 ? 'the agent wins' : 'draw';
  out(`result: ${result}`);
  out(`saved to ${save(state, result)}`);
}

export function register(program: Command): void {
  program
    .command('play')
    .description('play a game against the agent (terminal screen; one move per stdin line off a terminal)')
    .requiredOption('--game <name>', `game to play: ${listGames().join(', ')}`)
    .option('--model <dir>', 'checkpoint of a trained net (default: the shipped net for the game and --size, models/<game>[-<size>x<size>], else pure MCTS)')
    .option('--visits <n>', 'search visits per agent move', '800')
    .option('--time <seconds>', 'think time per agent move instead of a visit count')
    .option('--color <side>', 'your side: first|second (black|white, x|o)', 'first')
    .option('--size <n>', 'board size for games that have one (go, gomoku, othello)')
    .option('--save-dir <dir>', 'where finished games are saved', 'runs/play')
    .action(async (o: PlayOptions, cmd: Command) => {
      const backend = (cmd.optsWithGlobals() as { backend?: string }).backend;
      const size = o.size !== undefined ? numberFlag('--size', o.size, { min: 1, integer: true }) : undefined;
      const params = size !== undefined ? { size } : {};
      const game = makeGame(o.game, params);
      const human = parseColor(o.color);
      const visits = numberFlag('--visits', o.visits, { min: 1, integer: true });
      const timeMs = o.time !== undefined ? Number(o.time) * 1000 : undefined;
      if (timeMs !== undefined && !(timeMs > 0)) throw new UserError(`--time must be a positive number of seconds, got '${o.time}'`);
      const state = game.newInitialState();
      const shipped = shippedNetFor(game);
      let agent: PlayAgent;
      if (o.model !== undefined) agent = await netPlayAgent(game, state, o.model, visits, timeMs, backend);
      else if (shipped !== null) agent = await netPlayAgent(game, state, shipped, visits, timeMs, backend);
      else agent = mctsAgent(state, { visits, timeMs, name: `MCTS ${timeMs ? `${o.time} s` : `${visits} visits`} (random rollouts)` });
      const save = (s: State, r: string): string => saveMoveList(o.saveDir, s, r);
      if (!process.stdin.isTTY || !process.stdout.isTTY) return plainMode(state, agent, human, save);
      const { render } = await loadInk();
      const { PlayScreen } = await import('../../tui/play.tsx');
      const app = render(React.createElement(PlayScreen, { initial: state, agent, human, onFinish: save }));
      await app.waitUntilExit();
    });
}
