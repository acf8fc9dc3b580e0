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
import type { Evaluator, Game, PlayerId, State } from '../env/games/game.ts';
import { UserError } from '../util/errors.ts';
import { numberFlag } from '../util/flags.ts';
import { writeFileAtomic } from '../util/fs.ts';
import { shippedNetFor } from '../agents/alphazero/shipped.ts';
import type { Player } from '../players/player.ts';
import { describeBudget, searchPlayer } from '../players/search.ts';
import { loadInk } from '../../tui/load-ink.ts';

/** The seed of the agent's search in `tengen play`. */
const PLAY_SEED = 1;
/** Search visits per agent move when --visits is not given (net and UCT agents). */
const DEFAULT_PLAY_VISITS = 800;

/**
 * The agent a person plays: PUCT guided by `evaluator` where there is one, else UCT with random
 * rollouts. Like every search player it applies the game's play-time rule (Go's pass discipline).
 */
export function playAgentWith(game: Game, evaluator: Evaluator | undefined, budget: { visits: number; timeMs?: number }, name: string): Player {
  return searchPlayer(game, { budget, name, ...(evaluator ? { evaluator, mcts: { batchSize: 8, virtualLoss: 3 } } : {}) })(PLAY_SEED);
}

/**
 * The agent for `tengen play`: the net in `dir` (a net directory, a selfplay run directory or a
 * checkpoint), or without one the Monte-Carlo Go engine for Go (its own playout budget unless
 * `visits` is given) and UCT for the other games.
 */
export async function playAgent(game: Game, dir: string | null, budget: { visits?: number; timeMs?: number }, backend?: string): Promise<Player> {
  if (dir === null && game.name === 'go') {
    const { goEnginePlayer } = await import('../players/go-engine.ts');
    const { availableParallelism } = await import('node:os');
    return goEnginePlayer({ budget, threads: Math.min(4, availableParallelism()) })(PLAY_SEED);
  }
  const withVisits = { ...budget, visits: budget.visits ?? DEFAULT_PLAY_VISITS };
  if (dir === null) return playAgentWith(game, undefined, withVisits, `MCTS ${describeBudget(withVisits)} (random rollouts)`);
  const { loadGameNet } = await import('../players/net.ts');
  const net = await loadGameNet(dir, game, backend);
  return playAgentWith(game, net.evaluator, withVisits, `PUCT ${describeBudget(withVisits)} + net ${dir}`);
}

interface PlayOptions {
  game: string;
  model?: string;
  visits?: string;
  time?: string;
  color: string;
  size?: string;
  saveDir: string;
}

function parseColor(c: string): PlayerId {
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

async function plainMode(state: State, agent: Player, human: PlayerId, save: (s: State, r: string) => string): Promise<void> {
  const out = (s: string): boolean => process.stdout.write(s + '\n');
  const rl = createInterface({ input: process.stdin, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  out(`${state.game.name}: you play ${human === 0 ? 'first' : 'second'} against ${agent.name}; one move per line ('quit' stops)`);
  out(state.toString());
  let agentResigned = false;
  while (!state.isTerminal()) {
    if (state.currentPlayer() !== human) {
      const res = await agent.chooseMove(state.clone());
      if (res.resign) {
        agentResigned = true;
        break;
      }
      out(`agent plays ${state.actionToString(res.action)}`);
      state.applyAction(res.action);
      agent.observe?.(res.action);
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
      agent.observe?.(a);
      out(state.toString());
    } catch (e) {
      out(`refused: ${(e as Error).message}`);
    }
  }
  rl.close();
  const r = state.returns();
  const result = agentResigned ? 'you win (the agent resigned)' : !state.isTerminal() ? 'unfinished' : r[human] > 0 ? 'you win' : r[human] < 0 ? 'the agent wins' : 'draw';
  out(`result: ${result}`);
  out(`saved to ${save(state, result)}`);
}

export function register(program: Command): void {
  program
    .command('play')
    .description('play a game against the agent (terminal screen; one move per stdin line off a terminal)')
    .requiredOption('--game <name>', `game to play: ${listGames().join(', ')}`)
    .option('--model <dir>', 'checkpoint of a trained net (default: the shipped net for the game and --size, models/<game>[-<size>x<size>]; Go: the Monte-Carlo Go engine; else pure MCTS)')
    .option('--visits <n>', 'search visits per agent move (default 800; the Go engine: its playouts per move, default 24000 on 9x9, 32000 on 13x13, 48000 on 19x19)')
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
      const visits = o.visits !== undefined ? numberFlag('--visits', o.visits, { min: 1, integer: true }) : undefined;
      const timeMs = o.time !== undefined ? Number(o.time) * 1000 : undefined;
      if (timeMs !== undefined && !(timeMs > 0)) throw new UserError(`--time must be a positive number of seconds, got '${o.time}'`);
      const state = game.newInitialState();
      const agent = await playAgent(game, o.model ?? (game.name === 'go' ? null : shippedNetFor(game)), { ...(visits !== undefined ? { visits } : {}), ...(timeMs !== undefined ? { timeMs } : {}) }, backend);
      const save = (s: State, r: string): string => saveMoveList(o.saveDir, s, r);
      try {
        if (!process.stdin.isTTY || !process.stdout.isTTY) return await plainMode(state, agent, human, save);
        const { render } = await loadInk();
        const { PlayScreen } = await import('../../tui/play.tsx');
        const app = render(React.createElement(PlayScreen, { initial: state, agent, human, onFinish: save }));
        await app.waitUntilExit();
      } finally {
        await agent.close?.();
      }
    });
}
