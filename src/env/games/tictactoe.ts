/**
 * Tic-tac-toe on a 3x3 board. Player 0 is X and moves first, player 1 is O.
 *
 * Actions 0..8 are the cells in row-major order from the top-left. They are written like a chess
 * square: column a-c from the left, row 1-3 from the bottom, so action 0 is 'a3', 4 is 'b2', 8 is 'c1'.
 * Observation [3, 3, 3], channels-last, from `player`'s point of view: plane 0 = that player's
 * marks, plane 1 = the opponent's marks, plane 2 = all ones when X (player 0) is to move.
 * Serialized form: `tictactoe:` followed by the actions played, comma-separated.
 */
import { IllegalMoveError, UserError } from '../../util/errors.ts';
import { TERMINAL, illegalMoveMessage } from './game.ts';
import type { Game, PlayerId, PlayerIdOrTerminal, State, Symmetry } from './game.ts';
import { dihedralSymmetries } from './symmetry.ts';

const LINES: ReadonlyArray<readonly [number, number, number]> = [
  [0, 1, 2], [3, 4, 5], [6, 7, 8],
  [0, 3, 6], [1, 4, 7], [2, 5, 8],
  [0, 4, 8], [2, 4, 6],
];
const POW3 = [1, 3, 9, 27, 81, 243, 729, 2187, 6561, 19683];

export class TicTacToe implements Game {
  readonly name = 'tictactoe';
  readonly numActions = 9;
  readonly boardShape = [3, 3] as const;
  readonly observationShape = [3, 3, 3] as const;
  readonly maxGameLength = 9;
  readonly params: Readonly<Record<string, unknown>> = {};
  private syms: Symmetry[] | null = null;

  symmetries(): Symmetry[] {
    return (this.syms ??= dihedralSymmetries(3, 3));
  }

  newInitialState(): TicTacToeState {
    return new TicTacToeState(this);
  }

  deserialize(s: string): TicTacToeState {
    const state = this.newInitialState();
    for (const a of parseActionList(s, this.name, this.numActions)) {
      if (state.isTerminal() || state.board[a] !== 0) {
        throw new UserError(`tictactoe: cannot deserialize '${s}': action ${a} is not legal at move ${state.history().length + 1}`);
      }
      state.applyAction(a);
    }
    return state;
  }
}

export class TicTacToeState implements State {
  /** 0 empty, 1 = X (player 0), 2 = O (player 1), row-major. */
  readonly board = new Uint8Array(9);
  private readonly moves: number[] = [];
  private winner: -1 | 0 | 1 = -1;

  constructor(readonly game: TicTacToe) {}

  currentPlayer(): PlayerIdOrTerminal {
    if (this.isTerminal()) return TERMINAL;
    return (this.moves.length & 1) as PlayerId;
  }

  isTerminal(): boolean {
    return this.winner >= 0 || this.moves.length === 9;
  }

  legalActions(): number[] {
    if (this.isTerminal()) return [];
    const out: number[] = [];
    for (let i = 0; i < 9; i++) if (this.board[i] === 0) out.push(i);
    return out;
  }

  legalMask(): Uint8Array {
    const m = new Uint8Array(9);
    if (this.isTerminal()) return m;
    for (let i = 0; i < 9; i++) m[i] = this.board[i] === 0 ? 1 : 0;
    return m;
  }

  applyAction(a: number): void {
    if (!Number.isInteger(a) || a < 0 || a >= 9) throw new IllegalMoveError(illegalMoveMessage(this, a, 'not a cell 0..8'));
    if (this.isTerminal()) throw new IllegalMoveError(illegalMoveMessage(this, a, 'played after the game ended'));
    if (this.board[a] !== 0) throw new IllegalMoveError(illegalMoveMessage(this, a, 'on an occupied cell'));
    const mark = (this.moves.length & 1) + 1;
    this.board[a] = mark;
    this.moves.push(a);
    for (const [x, y, z] of LINES) {
      if ((x === a || y === a || z === a) && this.board[x] === mark && this.board[y] === mark && this.board[z] === mark) {
        this.winner = (mark - 1) as 0 | 1;
        break;
      }
    }
  }

  undo(): void {
    const a = this.moves.pop();
    if (a === undefined) throw new Error('tictactoe: nothing to undo');
    this.board[a] = 0;
    this.winner = -1;
  }

  clone(): TicTacToeState {
    const s = new TicTacToeState(this.game);
    s.board.set(this.board);
    s.moves.push(...this.moves);
    s.winner = this.winner;
    return s;
  }

  returns(): [number, number] {
    if (this.winner === 0) return [1, -1];
    if (this.winner === 1) return [-1, 1];
    return [0, 0];
  }

  /** The winning player, or -1 (no winner yet, or a draw). */
  winnerOrNone(): -1 | 0 | 1 {
    return this.winner;
  }

  observation(player: PlayerId): Float32Array {
    const obs = new Float32Array(27);
    const own = player + 1;
    const xToMove = (this.moves.length & 1) === 0 ? 1 : 0;
    for (let i = 0; i < 9; i++) {
      const v = this.board[i]!;
      obs[i * 3] = v === own ? 1 : 0;
      obs[i * 3 + 1] = v !== 0 && v !== own ? 1 : 0;
      obs[i * 3 + 2] = xToMove;
    }
    return obs;
  }

  actionToString(a: number): string {
    if (!Number.isInteger(a) || a < 0 || a >= 9) throw new RangeError(`tictactoe: action ${a} is not a cell 0..8`);
    return 'abc'[a % 3]! + String(3 - Math.floor(a / 3));
  }

  stringToAction(s: string): number {
    const m = /^\s*([a-cA-C])([1-3])\s*$/.exec(s);
    if (m) return (3 - Number(m[2])) * 3 + (m[1]!.toLowerCase().charCodeAt(0) - 97);
    if (/^\s*[0-8]\s*$/.test(s)) return Number(s.trim());
    throw new UserError(`tictactoe: cannot read move '${s}': expected a cell a1..c3 (column a-c, row 1-3 from the bottom) or an index 0..8`);
  }

  toString(): string {
    const rows: string[] = [];
    for (let r = 0; r < 3; r++) {
      let line = `${3 - r} `;
      for (let c = 0; c < 3; c++) line += ' ' + '.XO'[this.board[r * 3 + c]!]!;
      rows.push(line);
    }
    rows.push('   a b c');
    return rows.join('\n');
  }

  hash(): bigint {
    let h = 0;
    for (let i = 0; i < 9; i++) h += this.board[i]! * POW3[i]!;
    return BigInt(h + (this.moves.length & 1) * POW3[9]!);
  }

  history(): number[] {
    return this.moves.slice();
  }

  serialize(): string {
    return `tictactoe:${this.moves.join(',')}`;
  }
}

/** Parse `<name>:a,b,c` into actions, checking the prefix and the range. Shared format of the grid games. */
export function parseActionList(s: string, prefix: string, numActions: number): number[] {
  if (typeof s !== 'string' || !s.startsWith(prefix + ':')) {
    throw new UserError(`${prefix}: cannot deserialize '${String(s).slice(0, 60)}': expected '${prefix}:' followed by comma-separated actions`);
  }
  const body = s.slice(prefix.length + 1).trim();
  if (body === '') return [];
  return body.split(',').map((tok, i) => {
    const t = tok.trim();
    const a = Number(t);
    if (!/^\d+$/.test(t) || a >= numActions) {
      throw new UserError(`${prefix}: cannot deserialize '${s.slice(0, 60)}': item ${i + 1} '${t}' is not an action in 0..${numActions - 1}`);
    }
    return a;
  });
}
