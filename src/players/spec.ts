/**
 * Players named on the command line (`tengen arena --a checkpoint:runs/x --b mcts:400`):
 *   checkpoint:DIR  a trained net (a run directory, a checkpoint or a net directory) + PUCT MCTS
 *   shipped         the net that ships for the game under models/ (models/connect4, models/go-9x9...) + PUCT MCTS
 *   mcts:N          pure UCT MCTS with N random-rollout simulations per move
 *   solver          the perfect player (tic-tac-toe, Connect Four)
 *   random          uniformly random legal moves
 *   gtp:COMMAND     an external GTP engine (Go), e.g. gtp:"gnugo --mode gtp --level 1"
 */
import type { Game } from '../env/games/game.ts';
import { batched } from '../mcts/batching.ts';
import { UserError } from '../util/errors.ts';
import { findNetDir } from '../agents/alphazero/net.ts';
import { shippedNetFor } from '../agents/alphazero/shipped.ts';
import type { PlayerFactory } from './player.ts';
import { randomPlayer, solverPlayer } from './simple.ts';
import { uctPlayer } from './search.ts';
import { loadGameNet, netPlayer } from './net.ts';
import { gtpEnginePlayer } from './gtp-engine.ts';

export interface PlayerSpecOptions {
  /** Tensor backend for net players (started when one is named; default: the best available). */
  backend?: string;
  /** Simulations per move for net players. */
  visits: number;
  cPuct: number;
  /** Opening moves sampled by visits (net players), so repeated games differ. */
  temperatureMoves: number;
}

export interface NamedPlayer {
  factory: PlayerFactory;
  name: string;
  /** Free the net a net player loaded. */
  dispose: () => void;
}

export async function parsePlayerSpec(spec: string, game: Game, o: PlayerSpecOptions): Promise<NamedPlayer> {
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const arg = colon < 0 ? '' : spec.slice(colon + 1);
  const none = (): void => {};
  switch (kind) {
    case 'random':
      return { factory: randomPlayer(), name: 'random', dispose: none };
    case 'solver':
      return { factory: solverPlayer(game), name: 'solver', dispose: none };
    case 'mcts': {
      const n = Number(arg);
      if (!Number.isInteger(n) || n < 1) throw new UserError(`agent '${spec}': expected mcts:N with N a positive number of rollouts, e.g. mcts:400`);
      return { factory: uctPlayer(game, n), name: `mcts:${n}`, dispose: none };
    }
    case 'checkpoint': {
      if (!arg) throw new UserError(`agent '${spec}': expected checkpoint:DIR (a selfplay run directory or a saved net)`);
      const dir = findNetDir(arg);
      if (dir === null) throw new UserError(`agent '${spec}': no net found in ${arg} (expected model.json there or in ${arg}/checkpoint/best)`);
      return netSpecPlayer(dir, `checkpoint:${arg}`, game, o);
    }
    case 'shipped': {
      if (arg) throw new UserError(`agent '${spec}': 'shipped' takes no argument (it is the net under models/ for the game and board size)`);
      const dir = shippedNetFor(game);
      const size = game.params.size;
      if (dir === null) throw new UserError(`agent 'shipped': no net ships for ${game.name}${typeof size === 'number' ? ` ${size}x${size}` : ''}; nets ship for connect4, tictactoe and go on 7x7 and 9x9 (use checkpoint:DIR for another)`);
      return netSpecPlayer(dir, 'shipped', game, o);
    }
    case 'gtp':
      return { factory: gtpEnginePlayer(game, arg), name: `gtp:${arg}`, dispose: none };
    default:
      throw new UserError(`unknown agent '${spec}'; expected checkpoint:DIR, shipped, mcts:N, solver, random or gtp:COMMAND (Go)`);
  }
}

/** PUCT with the net in `dir` (checked to fit the game); the games of a match share its net calls. */
async function netSpecPlayer(dir: string, name: string, game: Game, o: PlayerSpecOptions): Promise<NamedPlayer> {
  const net = await loadGameNet(dir, game, o.backend);
  return {
    factory: netPlayer(game, batched(net.evaluator), { simulations: o.visits, cPuct: o.cPuct, mctsBatchSize: 8, virtualLoss: 3, temperatureMoves: o.temperatureMoves }, name),
    name,
    dispose: net.dispose,
  };
}
