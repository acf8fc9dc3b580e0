/** Players that do not search: uniformly random legal moves, and the perfect player where a solver exists. */
import type { Game, State } from '../env/games/game.ts';
import type { TicTacToeState } from '../env/games/tictactoe.ts';
import type { Connect4State } from '../env/games/connect4.ts';
import { tictactoeOptimalMoves } from '../env/solvers/tictactoe.ts';
import { optimalMoves as connect4OptimalMoves } from '../env/solvers/connect4.ts';
import { UserError } from '../util/errors.ts';
import { Rng } from '../util/rng.ts';
import type { MoveDecision, PlayerFactory } from './player.ts';

/** Uniformly random legal moves. */
export function randomPlayer(): PlayerFactory {
  return (seed) => {
    const rng = new Rng(seed);
    return {
      name: 'random',
      chooseMove: async (s: State): Promise<MoveDecision> => {
        const legal = s.legalActions();
        return { action: legal[rng.int(legal.length)]!, resign: false };
      },
    };
  };
}

/** Whether the game has a solver (so a perfect player). */
export function hasSolver(game: Game): boolean {
  return game.name === 'tictactoe' || game.name === 'connect4';
}

/** The perfect player where the game has a solver (tic-tac-toe, Connect Four): random among the optimal moves. */
export function solverPlayer(game: Game): PlayerFactory {
  if (!hasSolver(game)) throw new UserError(`no solver for ${game.name}; solvers exist for tictactoe and connect4`);
  const optimal = (s: State): number[] => (game.name === 'tictactoe' ? tictactoeOptimalMoves(s as TicTacToeState) : connect4OptimalMoves(s as Connect4State));
  return (seed) => {
    const rng = new Rng(seed);
    return {
      name: 'solver',
      chooseMove: async (s: State): Promise<MoveDecision> => {
        const opt = optimal(s);
        return { action: opt[rng.int(opt.length)]!, resign: false };
      },
    };
  };
}
