/**
 * Exact tic-tac-toe: plain minimax over every reachable position, memoised by the position key
 * (base-3 board code + side to move, at most 3^10 entries). Values are from the side to move:
 * +1 win, 0 draw, -1 loss with perfect play. The whole game tree is a few thousand positions, so
 * the first query solves it and later ones are table look-ups.
 */
import { UserError } from '../../util/errors.ts';
import { TicTacToe, TicTacToeState } from '../games/tictactoe.ts';
import type { State } from '../games/game.ts';

/** Accept any tic-tac-toe State (rebuilt from its history when it is not a TicTacToeState). */
function toTicTacToe(state: State): TicTacToeState {
  if (state instanceof TicTacToeState) return state;
  if (state.game.name !== 'tictactoe') throw new UserError(`tic-tac-toe solver: expected a tictactoe position, got a ${state.game.name} state`);
  const s = new TicTacToe().newInitialState();
  for (const a of state.history()) s.applyAction(a);
  return s;
}

const UNKNOWN = 127;
const memo = new Int8Array(59049).fill(UNKNOWN);

/** Value of the position for the player to move: +1 win, 0 draw, -1 loss (terminal: from the same view). */
export function tictactoeValue(position: State): number {
  const state = toTicTacToe(position);
  const key = Number(state.hash());
  const cached = memo[key]!;
  if (cached !== UNKNOWN) return cached;
  let v: number;
  if (state.isTerminal()) {
    // The last mover made the line; the side "to move" has lost, or it is a draw.
    v = state.winnerOrNone() >= 0 ? -1 : 0;
  } else {
    v = -2;
    for (const a of state.legalActions()) {
      state.applyAction(a);
      const child = 0 - tictactoeValue(state);
      state.undo();
      if (child > v) v = child;
      if (v === 1) break;
    }
  }
  memo[key] = v;
  return v;
}

/** Value of each legal move for the player to move (+1 / 0 / -1), keyed by action. */
export function tictactoeMoveValues(state: State): Map<number, number> {
  const out = new Map<number, number>();
  const s = toTicTacToe(state).clone();
  for (const a of s.legalActions()) {
    s.applyAction(a);
    out.set(a, 0 - tictactoeValue(s));
    s.undo();
  }
  return out;
}

/** The legal moves that keep the best value (empty when the game is over). */
export function tictactoeOptimalMoves(state: State): number[] {
  const values = tictactoeMoveValues(state);
  let best = -2;
  for (const v of values.values()) best = Math.max(best, v);
  return [...values].filter(([, v]) => v === best).map(([a]) => a);
}

/**
 * Build a position from moves given as cells 1..9 (row-major from the top-left, like a phone
 * keypad read left to right, top to bottom), e.g. "519". Throws a UserError naming the bad move.
 */
export function tictactoeFromMoves(moves: string): TicTacToeState {
  const s = new TicTacToe().newInitialState();
  for (let i = 0; i < moves.length; i++) {
    const ch = moves[i]!;
    if (ch < '1' || ch > '9') throw new UserError(`character ${i + 1} '${ch}' is not a cell: expected digits 1..9 (row-major from the top-left)`);
    const a = ch.charCodeAt(0) - 49;
    if (s.isTerminal()) throw new UserError(`move ${i + 1} (cell ${ch}) comes after the game has ended; expected the moves to stop there`);
    if (s.board[a] !== 0) throw new UserError(`move ${i + 1} (cell ${ch}) is illegal: the cell is taken; expected an empty cell`);
    s.applyAction(a);
  }
  return s;
}
