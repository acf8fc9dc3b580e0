/**
 * Positions written as move lists, one per line (`tengen bestmove`): Connect Four in Pons' column
 * digits, tic-tac-toe as cells 1..9, other games as move names.
 */
import { UserError } from '../../util/errors.ts';
import type { Game, State } from './game.ts';

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
