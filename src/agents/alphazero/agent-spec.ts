/**
 * Agents named on the command line (`tengen arena --a checkpoint:runs/x --b mcts:400`) and move
 * lists read from text (`tengen bestmove`):
 *   checkpoint:DIR  a trained net (a run directory, a checkpoint or a net directory) + PUCT MCTS
 *   shipped         the net that ships for the game under models/ (models/connect4, models/go-9x9...) + PUCT MCTS
 *   mcts:N          pure UCT MCTS with N random-rollout simulations per move
 *   solver          the perfect player (tic-tac-toe, Connect Four)
 *   random          uniformly random legal moves
 *   gtp:COMMAND     an external GTP engine (Go), e.g. gtp:"gnugo --mode gtp --level 1"
 */
import type { Game, State } from '../../env/games/game.ts';
import { createBestEvaluator } from '../../nets/best-evaluator.ts';
import { UserError } from '../../util/errors.ts';
import { batched, netAgent, randomAgent, solverAgent, uctAgent, type AgentFactory } from './agents.ts';
import { findNetDir, loadNet } from './net.ts';
import { gtpAgent } from './gtp-agent.ts';
import { shippedNetFor } from './shipped.ts';

export interface AgentSpecOptions {
  /** Tensor backend for net agents (started when one is named; default: the best available). */
  backend?: string;
  /** Simulations per move for net agents. */
  visits: number;
  cPuct: number;
  /** Opening moves sampled by visit counts (net agents), so repeated games differ. */
  temperatureMoves: number;
}

export async function parseAgent(spec: string, game: Game, o: AgentSpecOptions): Promise<{ factory: AgentFactory; name: string; dispose: () => void }> {
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const arg = colon < 0 ? '' : spec.slice(colon + 1);
  const none = (): void => {};
  switch (kind) {
    case 'random':
      return { factory: randomAgent(), name: 'random', dispose: none };
    case 'solver':
      return { factory: solverAgent(game), name: 'solver', dispose: none };
    case 'mcts': {
      const n = Number(arg);
      if (!Number.isInteger(n) || n < 1) throw new UserError(`agent '${spec}': expected mcts:N with N a positive number of rollouts, e.g. mcts:400`);
      return { factory: uctAgent(game, n), name: `mcts:${n}`, dispose: none };
    }
    case 'checkpoint': {
      if (!arg) throw new UserError(`agent '${spec}': expected checkpoint:DIR (a selfplay run directory or a saved net)`);
      const dir = findNetDir(arg);
      if (dir === null) throw new UserError(`agent '${spec}': no net found in ${arg} (expected model.json there or in ${arg}/checkpoint/best)`);
      return netSpecAgent(dir, `checkpoint:${arg}`, game, o);
    }
    case 'shipped': {
      if (arg) throw new UserError(`agent '${spec}': 'shipped' takes no argument (it is the net under models/ for the game and board size)`);
      const dir = shippedNetFor(game);
      const size = game.params.size;
      if (dir === null) throw new UserError(`agent 'shipped': no net ships for ${game.name}${typeof size === 'number' ? ` ${size}x${size}` : ''}; nets ship for connect4, tictactoe and go on 7x7 and 9x9 (use checkpoint:DIR for another)`);
      return netSpecAgent(dir, 'shipped', game, o);
    }
    case 'gtp':
      return { factory: gtpAgent(game, arg), name: `gtp:${arg}`, dispose: none };
    default:
      throw new UserError(`unknown agent '${spec}'; expected checkpoint:DIR, shipped, mcts:N, solver, random or gtp:COMMAND (Go)`);
  }
}

/**
 * PUCT with the net in `dir` (checked to fit the game), evaluated by onnxruntime where it loads (as
 * self-play and the benches do), else by tfjs on the backend openNet starts.
 */
async function netSpecAgent(dir: string, name: string, game: Game, o: AgentSpecOptions): Promise<{ factory: AgentFactory; name: string; dispose: () => void }> {
  const { net } = await openNet(dir, o.backend);
  checkNetFits(net.spec.inputShape, net.spec.numActions, game, dir);
  const inner = await createBestEvaluator(game, net.model);
  return {
    factory: netAgent(game, batched(inner), { simulations: o.visits, cPuct: o.cPuct, mctsBatchSize: 8, virtualLoss: 3, temperatureMoves: o.temperatureMoves }),
    name,
    dispose: () => {
      void inner.dispose();
      net.model.dispose();
    },
  };
}

/**
 * Load the net in `dir` (a net directory, a selfplay run directory or a checkpoint) on the chosen
 * backend, for `--model` flags: a clear UserError when there is none or it does not load.
 */
export async function openNet(dir: string, backend?: string): Promise<{ dir: string; net: Awaited<ReturnType<typeof loadNet>> }> {
  const found = findNetDir(dir);
  if (found === null) throw new UserError(`--model ${dir}: no net there (expected model.json in it, or a selfplay run directory with checkpoint/best)`);
  const { initBackend } = await import('../../nets/backend.ts');
  await initBackend({ backend, quiet: true });
  return { dir: found, net: await loadNet(found) };
}

export function checkNetFits(inputShape: readonly number[], numActions: number, game: Game, dir: string): void {
  const want = game.observationShape;
  if (inputShape.length !== 3 || inputShape.some((d, i) => d !== want[i]) || numActions !== game.numActions) {
    throw new UserError(`the net in ${dir} is for input [${inputShape.join(',')}] and ${numActions} actions; ${game.name} needs [${want.join(',')}] and ${game.numActions}`);
  }
}

/**
 * Build a position from a line of moves. Connect Four: Pons' column digits ("4455"); tic-tac-toe:
 * cell digits 1..9 row-major from the top-left ("519"); other games: move names separated by
 * spaces or commas ("d4 e5"). "-" or "" is the initial position.
 */
export function positionFromLine(game: Game, line: string): State {
  const s = game.newInitialState();
  const t = line.trim();
  if (t === '' || t === '-') return s;
  const digits = game.name === 'connect4' || game.name === 'tictactoe';
  const tokens = digits ? [...t.replace(/\s+/g, '')] : t.split(/[\s,]+/);
  tokens.forEach((tok, i) => {
    let a: number;
    if (game.name === 'tictactoe') {
      if (!/^[1-9]$/.test(tok)) throw new UserError(`move ${i + 1} '${tok}' is not a cell: expected digits 1..9 (row-major from the top-left)`);
      a = Number(tok) - 1;
    } else {
      a = s.stringToAction(tok);
    }
    if (s.isTerminal()) throw new UserError(`move ${i + 1} '${tok}' comes after the game has ended`);
    if (!s.legalMask()[a]) throw new UserError(`move ${i + 1} '${tok}' is illegal in that position`);
    s.applyAction(a);
  });
  return s;
}

/** A move written in the notation positionFromLine reads. */
export function moveToText(game: Game, s: State, a: number): string {
  return game.name === 'tictactoe' ? String(a + 1) : s.actionToString(a);
}
