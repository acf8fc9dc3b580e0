/**
 * Othello (Reversi) on a 6x6 or 8x8 board. Black (player 0) moves first from the standard start
 * (d4, e5 White; d5, e4 Black on 8x8). A move places a disc that brackets one or more straight
 * lines of opponent discs, which flip. A player with no such move must pass; pass is an action
 * (index n*n) and is legal only then. The game ends when neither player can move; the player with
 * more discs wins, equal counts draw.
 *
 * Actions 0..n*n-1 are cells row-major from the top-left, written in Othello notation: column
 * letter + row number from the TOP ('a1' top-left, 'd3' = the usual first move on 8x8); n*n is 'pass'.
 * Observation [n, n, 3], channels-last: plane 0 = `player`'s discs, plane 1 = the opponent's,
 * plane 2 = all ones when Black is to move. 8 dihedral symmetries (pass fixed): the start position
 * is kept by 4 of them, but every map sends a legal position to a legal position (colour-swapping
 * ones give a position from the mirrored start), so all 8 are valid for augmentation.
 * hash() is an incremental 64-bit Zobrist key including the player to move.
 */
import { IllegalMoveError, UserError } from '../../util/errors.ts';
import { Rng } from '../../util/rng.ts';
import { TERMINAL, illegalMoveMessage } from './game.ts';
import type { Game, PlayerId, PlayerIdOrTerminal, State, Symmetry } from './game.ts';
import { dihedralSymmetries } from './symmetry.ts';
import { parseActionList } from './tictactoe.ts';

const LETTERS = 'abcdefgh';
const DR = [-1, -1, -1, 0, 0, 1, 1, 1];
const DC = [-1, 0, 1, -1, 1, -1, 0, 1];

export class Othello implements Game {
  readonly name = 'othello';
  readonly numActions: number;
  readonly boardShape: readonly [number, number];
  readonly observationShape: readonly [number, number, number];
  readonly maxGameLength: number;
  readonly params: Readonly<Record<string, unknown>>;
  readonly pass: number;
  readonly zobLo: Int32Array;
  readonly zobHi: Int32Array;
  private syms: Symmetry[] | null = null;

  constructor(readonly size = 8) {
    if (size !== 6 && size !== 8) throw new UserError(`othello: board size must be 6 or 8, got ${JSON.stringify(size)}`);
    this.pass = size * size;
    this.numActions = size * size + 1;
    this.boardShape = [size, size];
    this.observationShape = [size, size, 3];
    // Every pass is followed by a placement, and there are at most n*n - 4 placements.
    this.maxGameLength = 2 * (size * size - 4);
    this.params = { size };
    const rng = new Rng(`othello-zobrist-${size}`);
    this.zobLo = new Int32Array(size * size * 2 + 1);
    this.zobHi = new Int32Array(size * size * 2 + 1);
    for (let i = 0; i < this.zobLo.length; i++) {
      this.zobLo[i] = rng.nextUint32() | 0;
      this.zobHi[i] = rng.nextUint32() | 0;
    }
  }

  symmetries(): Symmetry[] {
    return (this.syms ??= dihedralSymmetries(this.size, 3, 1));
  }

  newInitialState(): OthelloState {
    return new OthelloState(this);
  }

  deserialize(s: string): OthelloState {
    const state = this.newInitialState();
    for (const a of parseActionList(s, `othello${this.size}`, this.numActions)) {
      if (state.isTerminal() || !state.isLegal(a)) {
        throw new UserError(`othello: cannot deserialize '${s.slice(0, 60)}': action ${a} is not legal at move ${state.history().length + 1}`);
      }
      state.applyAction(a);
    }
    return state;
  }
}

export class OthelloState implements State {
  /** 0 empty, 1 Black (player 0), 2 White (player 1); row-major from the top-left. */
  readonly board: Uint8Array;
  private toMove: PlayerId = 0;
  private terminal = false;
  private readonly moves: number[] = [];
  /** Cells flipped by each move, all moves concatenated; flipCount[k] = how many move k flipped. */
  private readonly flips: number[] = [];
  private readonly flipCount: number[] = [];
  private hLo = 0;
  private hHi = 0;

  constructor(readonly game: Othello) {
    const n = game.size;
    this.board = new Uint8Array(n * n);
    const m = n / 2;
    this.place((m - 1) * n + m - 1, 2);
    this.place(m * n + m, 2);
    this.place((m - 1) * n + m, 1);
    this.place(m * n + m - 1, 1);
  }

  private place(cell: number, v: number): void {
    this.board[cell] = v;
    this.hLo ^= this.game.zobLo[cell * 2 + v - 1]!;
    this.hHi ^= this.game.zobHi[cell * 2 + v - 1]!;
  }

  /** Flip the disc at cell to the other colour, updating the hash. */
  private flip(cell: number): void {
    const v = this.board[cell]!;
    const z = this.game;
    this.hLo ^= z.zobLo[cell * 2 + v - 1]! ^ z.zobLo[cell * 2 + 2 - v]!;
    this.hHi ^= z.zobHi[cell * 2 + v - 1]! ^ z.zobHi[cell * 2 + 2 - v]!;
    this.board[cell] = 3 - v;
  }

  private switchSide(): void {
    this.toMove = (1 - this.toMove) as PlayerId;
    const k = this.game.zobLo.length - 1;
    this.hLo ^= this.game.zobLo[k]!;
    this.hHi ^= this.game.zobHi[k]!;
  }

  /** Number of discs that placing `v` at empty `cell` would flip (0 = not a legal placement). */
  private flipsAt(cell: number, v: number): number {
    const n = this.game.size;
    const b = this.board;
    if (b[cell] !== 0) return 0;
    const r0 = Math.floor(cell / n);
    const c0 = cell % n;
    const opp = 3 - v;
    let total = 0;
    for (let d = 0; d < 8; d++) {
      let r = r0 + DR[d]!;
      let c = c0 + DC[d]!;
      let k = 0;
      while (r >= 0 && r < n && c >= 0 && c < n && b[r * n + c] === opp) {
        r += DR[d]!;
        c += DC[d]!;
        k++;
      }
      if (k > 0 && r >= 0 && r < n && c >= 0 && c < n && b[r * n + c] === v) total += k;
    }
    return total;
  }

  private hasPlacement(v: number): boolean {
    const cells = this.game.pass;
    for (let i = 0; i < cells; i++) if (this.board[i] === 0 && this.flipsAt(i, v) > 0) return true;
    return false;
  }

  currentPlayer(): PlayerIdOrTerminal {
    return this.terminal ? TERMINAL : this.toMove;
  }

  isTerminal(): boolean {
    return this.terminal;
  }

  /** Whether action a is legal now. */
  isLegal(a: number): boolean {
    if (this.terminal || !Number.isInteger(a) || a < 0 || a > this.game.pass) return false;
    if (a === this.game.pass) return !this.hasPlacement(this.toMove + 1);
    return this.flipsAt(a, this.toMove + 1) > 0;
  }

  legalActions(): number[] {
    const out: number[] = [];
    if (this.terminal) return out;
    const v = this.toMove + 1;
    for (let i = 0; i < this.game.pass; i++) if (this.board[i] === 0 && this.flipsAt(i, v) > 0) out.push(i);
    if (out.length === 0) out.push(this.game.pass);
    return out;
  }

  legalMask(): Uint8Array {
    const m = new Uint8Array(this.game.numActions);
    for (const a of this.legalActions()) m[a] = 1;
    return m;
  }

  applyAction(a: number): void {
    const g = this.game;
    if (!Number.isInteger(a) || a < 0 || a > g.pass) throw new IllegalMoveError(illegalMoveMessage(this, a, `not an action 0..${g.pass}`));
    if (this.terminal) throw new IllegalMoveError(illegalMoveMessage(this, a, 'played after the game ended'));
    if (!this.isLegal(a)) {
      const why = a === g.pass ? 'a pass while a move is available' : `not a legal move (${this.actionToString(a)} flips nothing or is occupied)`;
      throw new IllegalMoveError(illegalMoveMessage(this, a, why));
    }
    let count = 0;
    if (a !== g.pass) {
      const n = g.size;
      const v = this.toMove + 1;
      const opp = 3 - v;
      const b = this.board;
      const r0 = Math.floor(a / n);
      const c0 = a % n;
      for (let d = 0; d < 8; d++) {
        let r = r0 + DR[d]!;
        let c = c0 + DC[d]!;
        let k = 0;
        while (r >= 0 && r < n && c >= 0 && c < n && b[r * n + c] === opp) {
          r += DR[d]!;
          c += DC[d]!;
          k++;
        }
        if (k > 0 && r >= 0 && r < n && c >= 0 && c < n && b[r * n + c] === v) {
          for (let j = 1; j <= k; j++) {
            const cell = (r0 + DR[d]! * j) * n + c0 + DC[d]! * j;
            this.flip(cell);
            this.flips.push(cell);
          }
          count += k;
        }
      }
      this.place(a, v);
    }
    this.flipCount.push(count);
    this.moves.push(a);
    this.switchSide();
    this.terminal = !this.hasPlacement(this.toMove + 1) && !this.hasPlacement(2 - this.toMove);
  }

  undo(): void {
    const a = this.moves.pop();
    if (a === undefined) throw new Error('othello: nothing to undo');
    const count = this.flipCount.pop()!;
    this.switchSide();
    if (a !== this.game.pass) {
      this.place(a, this.board[a]!); // xor the disc out of the hash
      this.board[a] = 0;
      for (let j = 0; j < count; j++) this.flip(this.flips.pop()!);
    }
    this.terminal = false;
  }

  clone(): OthelloState {
    const s = Object.create(OthelloState.prototype) as OthelloState;
    const w = s as unknown as { [k: string]: unknown };
    w.game = this.game;
    w.board = this.board.slice();
    w.toMove = this.toMove;
    w.terminal = this.terminal;
    w.moves = this.moves.slice();
    w.flips = this.flips.slice();
    w.flipCount = this.flipCount.slice();
    w.hLo = this.hLo;
    w.hHi = this.hHi;
    return s;
  }

  /** Discs of [Black, White]. */
  discCounts(): [number, number] {
    let b = 0;
    let w = 0;
    for (let i = 0; i < this.board.length; i++) {
      if (this.board[i] === 1) b++;
      else if (this.board[i] === 2) w++;
    }
    return [b, w];
  }

  returns(): [number, number] {
    if (!this.terminal) return [0, 0];
    const [b, w] = this.discCounts();
    return b > w ? [1, -1] : b < w ? [-1, 1] : [0, 0];
  }

  observation(player: PlayerId): Float32Array {
    const cells = this.game.pass;
    const obs = new Float32Array(cells * 3);
    const own = player + 1;
    const blackToMove = this.toMove === 0 ? 1 : 0;
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
    if (a === this.game.pass) return 'pass';
    if (!Number.isInteger(a) || a < 0 || a > n * n) throw new RangeError(`othello: action ${a} is not in 0..${n * n}`);
    return LETTERS[a % n]! + String(Math.floor(a / n) + 1);
  }

  stringToAction(s: string): number {
    const n = this.game.size;
    const t = s.trim().toLowerCase();
    if (t === 'pass') return this.game.pass;
    const m = /^([a-h])([1-8])$/.exec(t);
    if (m) {
      const c = m[1]!.charCodeAt(0) - 97;
      const r = Number(m[2]) - 1;
      if (c < n && r < n) return r * n + c;
    }
    throw new UserError(`othello: cannot read move '${s}': expected a1..${LETTERS[n - 1]}${n} (column letter, row from the top) or 'pass'`);
  }

  toString(): string {
    const n = this.game.size;
    const lines: string[] = [];
    lines.push('   ' + LETTERS.slice(0, n).split('').join(' '));
    for (let r = 0; r < n; r++) {
      let line = String(r + 1).padStart(2, ' ') + ' ';
      for (let c = 0; c < n; c++) line += (c ? ' ' : '') + '.XO'[this.board[r * n + c]!]!;
      lines.push(line);
    }
    const [b, w] = this.discCounts();
    lines.push(this.terminal ? `game over: X ${b}, O ${w}` : `${this.toMove === 0 ? 'X' : 'O'} to move (X ${b}, O ${w})`);
    return lines.join('\n');
  }

  hash(): bigint {
    return (BigInt(this.hHi >>> 0) << 32n) | BigInt(this.hLo >>> 0);
  }

  history(): number[] {
    return this.moves.slice();
  }

  serialize(): string {
    return `othello${this.game.size}:${this.moves.join(',')}`;
  }
}
