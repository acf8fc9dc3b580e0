/**
 * Free-style Gomoku on an n x n board (n = 9..15, default 15): players alternately place a stone
 * on an empty intersection; a line of five OR MORE stones (horizontal, vertical, diagonal) wins;
 * a full board with no such line is a draw. Player 0 (Black) moves first.
 *
 * Actions are the cells, row-major from the top-left: action = row * n + col. They are written
 * column letter a.. + row number from the bottom (renju/chess style), so on 15x15 action 0 is
 * 'a15' and the centre is 'h8'. Observation [n, n, 3], channels-last: plane 0 = `player`'s stones,
 * plane 1 = the opponent's, plane 2 = all ones when Black is to move. 8 dihedral symmetries.
 * hash() is an incremental 64-bit Zobrist key (fixed seed) including the player to move.
 */
import { IllegalMoveError, UserError } from '../../util/errors.ts';
import { Rng } from '../../util/rng.ts';
import { TERMINAL, illegalMoveMessage } from './game.ts';
import type { Game, PlayerId, PlayerIdOrTerminal, State, Symmetry } from './game.ts';
import { dihedralSymmetries } from './symmetry.ts';
import { parseActionList } from './tictactoe.ts';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

export class Gomoku implements Game {
  readonly name = 'gomoku';
  readonly numActions: number;
  readonly boardShape: readonly [number, number];
  readonly observationShape: readonly [number, number, number];
  readonly maxGameLength: number;
  readonly params: Readonly<Record<string, unknown>>;
  /** Zobrist keys: [cell * 2 + colour] low and high words; the last pair is "player 1 to move". */
  readonly zobLo: Int32Array;
  readonly zobHi: Int32Array;
  private syms: Symmetry[] | null = null;

  constructor(readonly size = 15) {
    if (!Number.isInteger(size) || size < 9 || size > 15) {
      throw new UserError(`gomoku: board size must be an integer from 9 to 15, got ${JSON.stringify(size)}`);
    }
    this.numActions = size * size;
    this.boardShape = [size, size];
    this.observationShape = [size, size, 3];
    this.maxGameLength = size * size;
    this.params = { size };
    const rng = new Rng(`gomoku-zobrist-${size}`);
    this.zobLo = new Int32Array(size * size * 2 + 1);
    this.zobHi = new Int32Array(size * size * 2 + 1);
    for (let i = 0; i < this.zobLo.length; i++) {
      this.zobLo[i] = rng.nextUint32() | 0;
      this.zobHi[i] = rng.nextUint32() | 0;
    }
  }

  symmetries(): Symmetry[] {
    return (this.syms ??= dihedralSymmetries(this.size, 3));
  }

  newInitialState(): GomokuState {
    return new GomokuState(this);
  }

  deserialize(s: string): GomokuState {
    const prefix = `gomoku${this.size}`;
    const state = this.newInitialState();
    for (const a of parseActionList(s, prefix, this.numActions)) {
      if (state.isTerminal() || state.board[a] !== 0) {
        throw new UserError(`gomoku: cannot deserialize '${s.slice(0, 60)}': action ${a} is not legal at move ${state.history().length + 1}`);
      }
      state.applyAction(a);
    }
    return state;
  }
}

export class GomokuState implements State {
  /** 0 empty, 1 Black (player 0), 2 White (player 1); row-major from the top-left. */
  readonly board: Uint8Array;
  private readonly moves: number[] = [];
  private winner: -1 | 0 | 1 = -1;
  private hLo = 0;
  private hHi = 0;

  constructor(readonly game: Gomoku) {
    this.board = new Uint8Array(game.numActions);
  }

  currentPlayer(): PlayerIdOrTerminal {
    return this.isTerminal() ? TERMINAL : ((this.moves.length & 1) as PlayerId);
  }

  isTerminal(): boolean {
    return this.winner >= 0 || this.moves.length === this.game.numActions;
  }

  legalActions(): number[] {
    const out: number[] = [];
    if (this.isTerminal()) return out;
    const b = this.board;
    for (let i = 0; i < b.length; i++) if (b[i] === 0) out.push(i);
    return out;
  }

  legalMask(): Uint8Array {
    const m = new Uint8Array(this.game.numActions);
    if (this.isTerminal()) return m;
    const b = this.board;
    for (let i = 0; i < b.length; i++) m[i] = b[i] === 0 ? 1 : 0;
    return m;
  }

  applyAction(a: number): void {
    const n = this.game.numActions;
    if (!Number.isInteger(a) || a < 0 || a >= n) throw new IllegalMoveError(illegalMoveMessage(this, a, `not a cell 0..${n - 1}`));
    if (this.isTerminal()) throw new IllegalMoveError(illegalMoveMessage(this, a, 'played after the game ended'));
    if (this.board[a] !== 0) throw new IllegalMoveError(illegalMoveMessage(this, a, `on the occupied point ${this.actionToString(a)}`));
    const player = this.moves.length & 1;
    this.board[a] = player + 1;
    this.moves.push(a);
    this.toggle(a, player);
    if (this.makesFive(a, player + 1)) this.winner = player as 0 | 1;
  }

  undo(): void {
    const a = this.moves.pop();
    if (a === undefined) throw new Error('gomoku: nothing to undo');
    this.toggle(a, this.board[a]! - 1);
    this.board[a] = 0;
    this.winner = -1;
  }

  private toggle(a: number, colour: number): void {
    const g = this.game;
    const toMove = g.zobLo.length - 1;
    this.hLo ^= g.zobLo[a * 2 + colour]! ^ g.zobLo[toMove]!;
    this.hHi ^= g.zobHi[a * 2 + colour]! ^ g.zobHi[toMove]!;
  }

  /** Whether the stone `v` at cell a lies on a line of five or more. */
  private makesFive(a: number, v: number): boolean {
    const n = this.game.size;
    const r0 = Math.floor(a / n);
    const c0 = a % n;
    const b = this.board;
    const dirs = [0, 1, 1, 0, 1, 1, 1, -1];
    for (let d = 0; d < 8; d += 2) {
      const dr = dirs[d]!;
      const dc = dirs[d + 1]!;
      let count = 1;
      for (let r = r0 + dr, c = c0 + dc; r >= 0 && r < n && c >= 0 && c < n && b[r * n + c] === v; r += dr, c += dc) count++;
      for (let r = r0 - dr, c = c0 - dc; r >= 0 && r < n && c >= 0 && c < n && b[r * n + c] === v; r -= dr, c -= dc) count++;
      if (count >= 5) return true;
    }
    return false;
  }

  clone(): GomokuState {
    const s = new GomokuState(this.game);
    s.board.set(this.board);
    s.moves.push(...this.moves);
    s.winner = this.winner;
    s.hLo = this.hLo;
    s.hHi = this.hHi;
    return s;
  }

  returns(): [number, number] {
    if (this.winner === 0) return [1, -1];
    if (this.winner === 1) return [-1, 1];
    return [0, 0];
  }

  observation(player: PlayerId): Float32Array {
    const cells = this.game.numActions;
    const obs = new Float32Array(cells * 3);
    const own = player + 1;
    const blackToMove = (this.moves.length & 1) === 0 ? 1 : 0;
    for (let i = 0; i < cells; i++) {
      const v = this.board[i]!;
      obs[i * 3] = v === own ? 1 : 0;
      obs[i * 3 + 1] = v !== 0 && v !== own ? 1 : 0;
      obs[i * 3 + 2] = blackToMove;
    }
    return obs;
  }

  actionToString(a: number): string {
    const n = this.game.size;
    if (!Number.isInteger(a) || a < 0 || a >= n * n) throw new RangeError(`gomoku: action ${a} is not a cell 0..${n * n - 1}`);
    return LETTERS[a % n]! + String(n - Math.floor(a / n));
  }

  stringToAction(s: string): number {
    const n = this.game.size;
    const m = /^\s*([a-zA-Z])(\d{1,2})\s*$/.exec(s);
    if (m) {
      const c = m[1]!.toLowerCase().charCodeAt(0) - 97;
      const row = Number(m[2]);
      if (c < n && row >= 1 && row <= n) return (n - row) * n + c;
    }
    throw new UserError(`gomoku: cannot read move '${s}': expected a point a1..${LETTERS[n - 1]}${n} (column letter, row number from the bottom)`);
  }

  toString(): string {
    const n = this.game.size;
    const lines: string[] = [];
    for (let r = 0; r < n; r++) {
      let line = String(n - r).padStart(2, ' ') + ' ';
      for (let c = 0; c < n; c++) line += ' ' + '.XO'[this.board[r * n + c]!]!;
      lines.push(line);
    }
    lines.push('    ' + LETTERS.slice(0, n).split('').join(' '));
    return lines.join('\n');
  }

  hash(): bigint {
    return (BigInt(this.hHi >>> 0) << 32n) | BigInt(this.hLo >>> 0);
  }

  history(): number[] {
    return this.moves.slice();
  }

  serialize(): string {
    return `gomoku${this.game.size}:${this.moves.join(',')}`;
  }
}
