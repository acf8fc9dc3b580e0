/**
 * Connect Four: 7 columns x 6 rows, stones drop to the lowest free cell, four in a row
 * (horizontal, vertical, diagonal) wins, a full board is a draw. Player 0 moves first.
 *
 * Actions 0..6 are the columns from the left. actionToString gives Pascal Pons' 1-based column
 * digit ('1'..'7'), so a game is a Pons move string like "4455" (see connect4FromMoves / toMoves).
 * Observation [6, 7, 3], channels-last, row 0 = the top row: plane 0 = `player`'s stones,
 * plane 1 = the opponent's, plane 2 = all ones when player 0 is to move.
 * Symmetries: identity and the left-right mirror.
 *
 * Besides a cell array for the rules, the state keeps the bitboards of Pons' layout (bit
 * 7*col + row, row 0 at the bottom, one spare bit on top of each column) as two 32-bit halves
 * (bits 0..31 and 32..48), so hash() is his unique key `current + mask` (player to move included).
 */
import { IllegalMoveError, UserError } from '../../util/errors.ts';
import { TERMINAL, illegalMoveMessage } from './game.ts';
import type { Game, PlayerId, PlayerIdOrTerminal, State, Symmetry } from './game.ts';
import { columnMirrorSymmetries } from './symmetry.ts';
import { parseActionList } from './tictactoe.ts';

export const C4_WIDTH = 7;
export const C4_HEIGHT = 6;
const CELLS = C4_WIDTH * C4_HEIGHT;
const TWO32 = 4294967296;

export class Connect4 implements Game {
  readonly name = 'connect4';
  readonly numActions = C4_WIDTH;
  readonly boardShape = [C4_HEIGHT, C4_WIDTH] as const;
  readonly observationShape = [C4_HEIGHT, C4_WIDTH, 3] as const;
  readonly maxGameLength = CELLS;
  readonly params: Readonly<Record<string, unknown>> = {};
  private syms: Symmetry[] | null = null;

  symmetries(): Symmetry[] {
    return (this.syms ??= columnMirrorSymmetries(C4_HEIGHT, C4_WIDTH, 3));
  }

  newInitialState(): Connect4State {
    return new Connect4State(this);
  }

  deserialize(s: string): Connect4State {
    const state = this.newInitialState();
    for (const a of parseActionList(s, this.name, this.numActions)) {
      if (state.isTerminal() || state.heights[a] === C4_HEIGHT) {
        throw new UserError(`connect4: cannot deserialize '${s}': column ${a + 1} is not playable at move ${state.history().length + 1}`);
      }
      state.applyAction(a);
    }
    return state;
  }
}

export class Connect4State implements State {
  /** cells[col * 6 + row], row 0 at the bottom: 0 empty, 1 player 0, 2 player 1. */
  readonly cells = new Uint8Array(CELLS);
  /** Stones in each column. */
  readonly heights = new Uint8Array(C4_WIDTH);
  private readonly moves: number[] = [];
  private winner: -1 | 0 | 1 = -1;
  /** Bitboards (Pons layout) of player 0's stones and of all stones, low and high 32 bits. */
  p0Lo = 0;
  p0Hi = 0;
  maskLo = 0;
  maskHi = 0;

  constructor(readonly game: Connect4) {}

  /** Number of stones on the board. */
  get numMoves(): number {
    return this.moves.length;
  }

  currentPlayer(): PlayerIdOrTerminal {
    return this.isTerminal() ? TERMINAL : ((this.moves.length & 1) as PlayerId);
  }

  isTerminal(): boolean {
    return this.winner >= 0 || this.moves.length === CELLS;
  }

  canPlay(col: number): boolean {
    return this.heights[col]! < C4_HEIGHT;
  }

  legalActions(): number[] {
    const out: number[] = [];
    if (this.isTerminal()) return out;
    for (let c = 0; c < C4_WIDTH; c++) if (this.heights[c]! < C4_HEIGHT) out.push(c);
    return out;
  }

  legalMask(): Uint8Array {
    const m = new Uint8Array(C4_WIDTH);
    if (this.isTerminal()) return m;
    for (let c = 0; c < C4_WIDTH; c++) m[c] = this.heights[c]! < C4_HEIGHT ? 1 : 0;
    return m;
  }

  applyAction(a: number): void {
    if (!Number.isInteger(a) || a < 0 || a >= C4_WIDTH) throw new IllegalMoveError(illegalMoveMessage(this, a, 'not a column 0..6'));
    if (this.isTerminal()) throw new IllegalMoveError(illegalMoveMessage(this, a, 'played after the game ended'));
    const row = this.heights[a]!;
    if (row >= C4_HEIGHT) throw new IllegalMoveError(illegalMoveMessage(this, a, `in column ${a + 1}, which is full`));
    const player = this.moves.length & 1;
    this.cells[a * C4_HEIGHT + row] = player + 1;
    this.heights[a] = row + 1;
    this.moves.push(a);
    this.setBit(a * 7 + row, player === 0);
    if (this.connectsFour(a, row, player + 1)) this.winner = player as 0 | 1;
  }

  undo(): void {
    const a = this.moves.pop();
    if (a === undefined) throw new Error('connect4: nothing to undo');
    const row = this.heights[a]! - 1;
    this.heights[a] = row;
    this.cells[a * C4_HEIGHT + row] = 0;
    this.clearBit(a * 7 + row);
    this.winner = -1;
  }

  private setBit(bit: number, isP0: boolean): void {
    if (bit < 32) {
      this.maskLo |= 1 << bit;
      if (isP0) this.p0Lo |= 1 << bit;
    } else {
      this.maskHi |= 1 << (bit - 32);
      if (isP0) this.p0Hi |= 1 << (bit - 32);
    }
  }

  private clearBit(bit: number): void {
    if (bit < 32) {
      this.maskLo &= ~(1 << bit);
      this.p0Lo &= ~(1 << bit);
    } else {
      this.maskHi &= ~(1 << (bit - 32));
      this.p0Hi &= ~(1 << (bit - 32));
    }
  }

  /** Whether the stone `v` just placed at (col, row) completes four in a row. */
  private connectsFour(col: number, row: number, v: number): boolean {
    const cells = this.cells;
    const dirs = [1, 0, 0, 1, 1, 1, 1, -1];
    for (let d = 0; d < 8; d += 2) {
      const dc = dirs[d]!;
      const dr = dirs[d + 1]!;
      let n = 1;
      for (let c = col + dc, r = row + dr; c >= 0 && c < C4_WIDTH && r >= 0 && r < C4_HEIGHT && cells[c * C4_HEIGHT + r] === v; c += dc, r += dr) n++;
      for (let c = col - dc, r = row - dr; c >= 0 && c < C4_WIDTH && r >= 0 && r < C4_HEIGHT && cells[c * C4_HEIGHT + r] === v; c -= dc, r -= dr) n++;
      if (n >= 4) return true;
    }
    return false;
  }

  clone(): Connect4State {
    const s = new Connect4State(this.game);
    s.cells.set(this.cells);
    s.heights.set(this.heights);
    s.moves.push(...this.moves);
    s.winner = this.winner;
    s.p0Lo = this.p0Lo;
    s.p0Hi = this.p0Hi;
    s.maskLo = this.maskLo;
    s.maskHi = this.maskHi;
    return s;
  }

  returns(): [number, number] {
    if (this.winner === 0) return [1, -1];
    if (this.winner === 1) return [-1, 1];
    return [0, 0];
  }

  observation(player: PlayerId): Float32Array {
    const obs = new Float32Array(CELLS * 3);
    const own = player + 1;
    const p0ToMove = (this.moves.length & 1) === 0 ? 1 : 0;
    for (let r = 0; r < C4_HEIGHT; r++) {
      const row = C4_HEIGHT - 1 - r;
      for (let c = 0; c < C4_WIDTH; c++) {
        const v = this.cells[c * C4_HEIGHT + row]!;
        const i = (r * C4_WIDTH + c) * 3;
        obs[i] = v === own ? 1 : 0;
        obs[i + 1] = v !== 0 && v !== own ? 1 : 0;
        obs[i + 2] = p0ToMove;
      }
    }
    return obs;
  }

  actionToString(a: number): string {
    if (!Number.isInteger(a) || a < 0 || a >= C4_WIDTH) throw new RangeError(`connect4: action ${a} is not a column 0..6`);
    return String(a + 1);
  }

  stringToAction(s: string): number {
    const t = s.trim();
    if (/^[1-7]$/.test(t)) return Number(t) - 1;
    throw new UserError(`connect4: cannot read move '${s}': expected a column digit 1..7 (from the left)`);
  }

  toString(): string {
    const lines: string[] = [];
    for (let row = C4_HEIGHT - 1; row >= 0; row--) {
      let line = '|';
      for (let c = 0; c < C4_WIDTH; c++) line += ' ' + '.XO'[this.cells[c * C4_HEIGHT + row]!]!;
      lines.push(line + ' |');
    }
    lines.push('  1 2 3 4 5 6 7');
    return lines.join('\n');
  }

  /** Pons' key: (stones of the player to move) + (all stones), a unique 49-bit number. */
  key(): number {
    const even = (this.moves.length & 1) === 0;
    const curLo = even ? this.p0Lo : this.p0Lo ^ this.maskLo;
    const curHi = even ? this.p0Hi : this.p0Hi ^ this.maskHi;
    return (curHi + this.maskHi) * TWO32 + (curLo >>> 0) + (this.maskLo >>> 0);
  }

  hash(): bigint {
    return BigInt(this.key());
  }

  history(): number[] {
    return this.moves.slice();
  }

  /** How the game ended, in words ('' while it runs). */
  winnerText(): string {
    if (!this.isTerminal()) return '';
    return this.winner === 0 ? 'the first player won' : this.winner === 1 ? 'the second player won' : 'the board is full';
  }

  /** The game so far as a Pons move string, e.g. "4455". */
  toMoves(): string {
    return this.moves.map((a) => a + 1).join('');
  }

  serialize(): string {
    return `connect4:${this.moves.join(',')}`;
  }
}

/**
 * Build a position from a Pons move string ("4455": columns 1..7 from the left, from the empty
 * board). Throws a UserError naming the first bad character: not a digit 1..7, a full column, or a
 * move after the game has ended.
 */
export function connect4FromMoves(moves: string, game: Connect4 = new Connect4()): Connect4State {
  const state = game.newInitialState();
  for (let i = 0; i < moves.length; i++) {
    const ch = moves[i]!;
    if (ch < '1' || ch > '7') {
      throw new UserError(`character ${i + 1} '${ch}' is not a column: expected digits 1..7`);
    }
    const col = ch.charCodeAt(0) - 49;
    if (state.isTerminal()) {
      throw new UserError(`move ${i + 1} (column ${ch}) comes after the game has ended (${state.winnerText()}); expected the moves to stop there`);
    }
    if (!state.canPlay(col)) throw new UserError(`move ${i + 1} (column ${ch}) is illegal: column ${ch} is full; expected a column with room`);
    state.applyAction(col);
  }
  return state;
}
