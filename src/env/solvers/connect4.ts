/**
 * A strong Connect Four solver (the strength yardstick), after the design in Pascal Pons'
 * tutorial (blog.gamesolver.org): bitboards, negamax with alpha-beta, null-window searches that
 * bisect the score interval, a transposition table, moves ordered by the number of winning
 * threats they create (ties: centre first), and pruning of moves that lose at once.
 *
 * Scores (Pons' convention), from the side to move: 0 draw; a win scores 22 minus the winner's
 * stone count at the end of perfect play (so a faster win scores more); a loss is the negative.
 *
 * Representation. The board uses Pons' layout, bit 7*col + row (row 0 at the bottom, bit 6 of each
 * column a spare that stays 0): 49 bits. JavaScript bitwise operators work on 32 bits and BigInt
 * is slow and allocates, so every bitboard is a pair of int32 halves, lo = bits 0..31 and
 * hi = bits 32..48, and shifts/additions carry between the halves by hand. Positions are the
 * pair (current = stones of the side to move, mask = all stones), passed down the recursion as
 * plain int arguments: the search allocates nothing.
 *
 * Transposition table: 2^logSize entries in typed arrays: key low word (Int32), key high word with
 * a 15-bit generation stamp above it (Int32), value (Uint8: an upper or a lower bound). The key is
 * Pons' unique position key current + mask, stored whole, so there are no false hits. reset()
 * bumps the generation, which empties the table in O(1) (a real clear every 32767 resets).
 */
import { UserError } from '../../util/errors.ts';
import { Connect4State, connect4FromMoves } from '../games/connect4.ts';
import type { State } from '../games/game.ts';

/** A position: a Pons move string ("4455"), or a Connect Four state (any State of game 'connect4'). */
export type Connect4Position = string | State;

function toConnect4(position: Connect4Position): Connect4State {
  if (typeof position === 'string') return connect4FromMoves(position);
  if (position instanceof Connect4State) return position;
  if (position.game.name !== 'connect4') throw new UserError(`connect4 solver: expected a connect4 position, got a ${position.game.name} state`);
  return connect4FromMoves(position.history().map((a) => a + 1).join(''));
}

const W = 7;
const H = 6;
const CELLS = W * H;
const MIN_SCORE = -(CELLS / 2) + 3; // -18
const MAX_SCORE = (CELLS + 1) / 2 - 3; // 18 (integer: 43/2 = 21.5 -> Pons uses int division)
const MAXS = Math.floor(MAX_SCORE);
const LOWER_OFFSET = MAXS - 2 * MIN_SCORE + 2; // stored lower bounds are score + 56
const UPPER_OFFSET = -MIN_SCORE + 1; // stored upper bounds are score + 19
const LOWER_THRESHOLD = MAXS - MIN_SCORE + 1; // values above this are lower bounds

function lo32(x: bigint): number {
  return Number(BigInt.asIntN(32, x & 0xffffffffn));
}
function hi32(x: bigint): number {
  return Number(BigInt.asIntN(32, x >> 32n));
}
let bottom = 0n;
for (let c = 0; c < W; c++) bottom |= 1n << BigInt(c * (H + 1));
const boardBig = bottom * BigInt((1 << H) - 1);
const BOTTOM_LO = lo32(bottom);
const BOTTOM_HI = hi32(bottom);
const BOARD_LO = lo32(boardBig);
const BOARD_HI = hi32(boardBig);
/** Column masks (the 6 playable cells of each column), low and high words. */
const COL_LO = new Int32Array(W);
const COL_HI = new Int32Array(W);
for (let c = 0; c < W; c++) {
  const m = BigInt((1 << H) - 1) << BigInt(c * (H + 1));
  COL_LO[c] = lo32(m);
  COL_HI[c] = hi32(m);
}
/** Columns explored centre first. */
const COLUMN_ORDER = [3, 2, 4, 1, 5, 0, 6];

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

// Results of winningCells(), to avoid allocating a pair.
let wLo = 0;
let wHi = 0;

/**
 * Empty cells that would complete four in a row for the stones `p` (given all stones `m`):
 * Pons' compute_winning_position on two 32-bit halves. Result in (wLo, wHi).
 * Written out per direction with constant shifts (horizontal 7, diagonals 6 and 8).
 */
function winningCells(pLo: number, pHi: number, mLo: number, mHi: number): void {
  // Vertical: three stones directly below.
  let rLo = (pLo << 1) & (pLo << 2) & (pLo << 3);
  let rHi = ((pHi << 1) | (pLo >>> 31)) & ((pHi << 2) | (pLo >>> 30)) & ((pHi << 3) | (pLo >>> 29));
  // For each direction d: l_k = p << k*d, r_k = p >> k*d; a cell wins if l1&l2&(l3|r1) or r1&r2&(l1|r3).
  let l1Lo = pLo << 7, l1Hi = (pHi << 7) | (pLo >>> 25);
  let l2Lo = pLo << 14, l2Hi = (pHi << 14) | (pLo >>> 18);
  let r1Lo = (pLo >>> 7) | (pHi << 25), r1Hi = pHi >>> 7;
  let r2Lo = (pLo >>> 14) | (pHi << 18), r2Hi = pHi >>> 14;
  let aLo = l1Lo & l2Lo, aHi = l1Hi & l2Hi, bLo = r1Lo & r2Lo, bHi = r1Hi & r2Hi;
  rLo |= (aLo & ((pLo << 21) | r1Lo)) | (bLo & (l1Lo | (pLo >>> 21) | (pHi << 11)));
  rHi |= (aHi & ((pHi << 21) | (pLo >>> 11) | r1Hi)) | (bHi & (l1Hi | (pHi >>> 21)));

  l1Lo = pLo << 6; l1Hi = (pHi << 6) | (pLo >>> 26);
  l2Lo = pLo << 12; l2Hi = (pHi << 12) | (pLo >>> 20);
  r1Lo = (pLo >>> 6) | (pHi << 26); r1Hi = pHi >>> 6;
  r2Lo = (pLo >>> 12) | (pHi << 20); r2Hi = pHi >>> 12;
  aLo = l1Lo & l2Lo; aHi = l1Hi & l2Hi; bLo = r1Lo & r2Lo; bHi = r1Hi & r2Hi;
  rLo |= (aLo & ((pLo << 18) | r1Lo)) | (bLo & (l1Lo | (pLo >>> 18) | (pHi << 14)));
  rHi |= (aHi & ((pHi << 18) | (pLo >>> 14) | r1Hi)) | (bHi & (l1Hi | (pHi >>> 18)));

  l1Lo = pLo << 8; l1Hi = (pHi << 8) | (pLo >>> 24);
  l2Lo = pLo << 16; l2Hi = (pHi << 16) | (pLo >>> 16);
  r1Lo = (pLo >>> 8) | (pHi << 24); r1Hi = pHi >>> 8;
  r2Lo = (pLo >>> 16) | (pHi << 16); r2Hi = pHi >>> 16;
  aLo = l1Lo & l2Lo; aHi = l1Hi & l2Hi; bLo = r1Lo & r2Lo; bHi = r1Hi & r2Hi;
  rLo |= (aLo & ((pLo << 24) | r1Lo)) | (bLo & (l1Lo | (pLo >>> 24) | (pHi << 8)));
  rHi |= (aHi & ((pHi << 24) | (pLo >>> 8) | r1Hi)) | (bHi & (l1Hi | (pHi >>> 24)));

  wLo = rLo & (BOARD_LO ^ mLo);
  wHi = rHi & (BOARD_HI ^ mHi);
}

/** Scores of the columns of a position: a number per column, null where the column is full. */
export type ColumnScores = (number | null)[];

export class Connect4Solver {
  /** Positions searched since the last reset(). */
  nodeCount = 0;
  private readonly keyLo: Int32Array;
  private readonly keyHi: Int32Array;
  private readonly val: Uint8Array;
  private readonly shift: number;
  private gen = 1;
  /** Move sorter, 7 slots per ply: move bits (lo, hi) and score. */
  private readonly sortLo = new Int32Array((CELLS + 1) * W);
  private readonly sortHi = new Int32Array((CELLS + 1) * W);
  private readonly sortScore = new Int32Array((CELLS + 1) * W);

  /** logSize: the table has 2^logSize entries of 9 bytes (default 2^22: 36 MiB). */
  constructor(logSize = 22) {
    if (!Number.isInteger(logSize) || logSize < 10 || logSize > 27) throw new RangeError(`Connect4Solver: logSize must be an integer in 10..27, got ${logSize}`);
    const size = 1 << logSize;
    this.keyLo = new Int32Array(size);
    this.keyHi = new Int32Array(size);
    this.val = new Uint8Array(size);
    this.shift = 32 - logSize;
  }

  /** Empty the transposition table and the node counter. */
  reset(): void {
    this.nodeCount = 0;
    if (++this.gen >= 32768) {
      this.keyHi.fill(0);
      this.gen = 1;
    }
  }

  /** Score of a position given as a Pons move string ("4455") or a state. */
  solve(position: Connect4Position): number {
    const s = toConnect4(position);
    if (s.isTerminal()) throw new UserError(`connect4 solver: the game is already over (${s.winnerText()}); nothing to solve`);
    const n = s.numMoves;
    const even = (n & 1) === 0;
    const curLo = even ? s.p0Lo : s.p0Lo ^ s.maskLo;
    const curHi = even ? s.p0Hi : s.p0Hi ^ s.maskHi;
    return this.solveBits(curLo, curHi, s.maskLo, s.maskHi, n);
  }

  /**
   * Score of each column for the side to move (null: full column); a move that wins at once scores
   * (43 - stones) / 2. Solves every child: cheap late in the game, slow with only a few stones.
   */
  scores(position: Connect4Position): ColumnScores {
    const s = toConnect4(position);
    const out: ColumnScores = new Array<number | null>(W).fill(null);
    if (s.isTerminal()) return out;
    const n = s.numMoves;
    const even = (n & 1) === 0;
    const curLo = even ? s.p0Lo : s.p0Lo ^ s.maskLo;
    const curHi = even ? s.p0Hi : s.p0Hi ^ s.maskHi;
    const mLo = s.maskLo;
    const mHi = s.maskHi;
    winningCells(curLo, curHi, mLo, mHi);
    const winLo = wLo;
    const winHi = wHi;
    for (let c = 0; c < W; c++) {
      if (!s.canPlay(c)) continue;
      const row = s.heights[c]!;
      const bit = c * (H + 1) + row;
      const moveLo = bit < 32 ? 1 << bit : 0;
      const moveHi = bit >= 32 ? 1 << (bit - 32) : 0;
      if ((winLo & moveLo) !== 0 || (winHi & moveHi) !== 0) {
        out[c] = Math.trunc((CELLS + 1 - n) / 2);
      } else if (n + 1 === CELLS) {
        out[c] = 0;
      } else {
        // After the move the opponent is to move: its stones are cur ^ mask.
        out[c] = -this.solveBits(curLo ^ mLo, curHi ^ mHi, mLo | moveLo, mHi | moveHi, n + 1);
      }
    }
    return out;
  }

  /** Columns (0-based actions) with the best score for the side to move. */
  optimalMoves(position: Connect4Position): number[] {
    const sc = this.scores(position);
    let best = -Infinity;
    for (const v of sc) if (v !== null && v > best) best = v;
    const out: number[] = [];
    for (let c = 0; c < W; c++) if (sc[c] === best) out.push(c);
    return out;
  }

  /** Solve from bitboards; the position must not be over. */
  private solveBits(curLo: number, curHi: number, mLo: number, mHi: number, n: number): number {
    if (this.canWinNext(curLo, curHi, mLo, mHi)) return Math.trunc((CELLS + 1 - n) / 2);
    let min = -Math.trunc((CELLS - n) / 2);
    let max = Math.trunc((CELLS + 1 - n) / 2);
    // Null-window searches bisect [min, max], leaning toward 0 first (most positions are near it).
    while (min < max) {
      let med = min + Math.trunc((max - min) / 2);
      if (med <= 0 && Math.trunc(min / 2) < med) med = Math.trunc(min / 2);
      else if (med >= 0 && Math.trunc(max / 2) > med) med = Math.trunc(max / 2);
      const r = this.negamax(curLo, curHi, mLo, mHi, n, med, med + 1);
      if (r <= med) max = r;
      else min = r;
    }
    return min;
  }

  private canWinNext(curLo: number, curHi: number, mLo: number, mHi: number): boolean {
    winningCells(curLo, curHi, mLo, mHi);
    const sumLo = (mLo >>> 0) + (BOTTOM_LO >>> 0);
    const carry = sumLo > 0xffffffff ? 1 : 0;
    const possLo = (sumLo | 0) & BOARD_LO;
    const possHi = (mHi + BOTTOM_HI + carry) & BOARD_HI;
    return ((wLo & possLo) | (wHi & possHi)) !== 0;
  }

  /**
   * Negamax with alpha-beta on the position (cur, mask) with n stones, which the side to move
   * cannot win at once. Returns the exact score if it is in (alpha, beta), else a bound.
   */
  private negamax(curLo: number, curHi: number, mLo: number, mHi: number, n: number, alpha: number, beta: number): number {
    this.nodeCount++;
    // Possible moves: the lowest empty cell of each column (mask + bottom, within the board).
    const sumLo = (mLo >>> 0) + (BOTTOM_LO >>> 0);
    const carry = sumLo > 0xffffffff ? 1 : 0;
    let possLo = (sumLo | 0) & BOARD_LO;
    let possHi = (mHi + BOTTOM_HI + carry) & BOARD_HI;
    // Cells where the opponent would win.
    winningCells(curLo ^ mLo, curHi ^ mHi, mLo, mHi);
    const oppLo = wLo;
    const oppHi = wHi;
    const forcedLo = possLo & oppLo;
    const forcedHi = possHi & oppHi;
    if ((forcedLo | forcedHi) !== 0) {
      // Two forced blocks: the opponent wins next move.
      if (popcount(forcedLo) + popcount(forcedHi) > 1) return -Math.trunc((CELLS - n) / 2);
      possLo = forcedLo;
      possHi = forcedHi;
    }
    // Never play directly below an opponent's winning cell.
    possLo &= ~((oppLo >>> 1) | (oppHi << 31));
    possHi &= ~(oppHi >>> 1);
    if ((possLo | possHi) === 0) return -Math.trunc((CELLS - n) / 2);
    if (n >= CELLS - 2) return 0;

    let min = -Math.trunc((CELLS - 2 - n) / 2);
    if (alpha < min) {
      alpha = min;
      if (alpha >= beta) return alpha;
    }
    let max = Math.trunc((CELLS - 1 - n) / 2);

    // Transposition table: key = cur + mask (49 bits) as two words.
    const kSum = (curLo >>> 0) + (mLo >>> 0);
    const kLo = kSum | 0;
    const kHiRaw = curHi + mHi + (kSum > 0xffffffff ? 1 : 0);
    // The slot depends on the key only; the stored high word also carries the generation stamp.
    const kHi = kHiRaw | (this.gen << 17);
    let h = Math.imul(kLo ^ Math.imul(kHiRaw, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 15;
    h = Math.imul(h, 0xc2b2ae35);
    const idx = (h ^ (h >>> 13)) >>> this.shift;
    if (this.keyLo[idx] === kLo && this.keyHi[idx] === kHi) {
      const v = this.val[idx]!;
      if (v > LOWER_THRESHOLD) {
        min = v - LOWER_OFFSET;
        if (alpha < min) {
          alpha = min;
          if (alpha >= beta) return alpha;
        }
      } else {
        max = v - UPPER_OFFSET;
        if (beta > max) {
          beta = max;
          if (alpha >= beta) return beta;
        }
      }
    }

    // Order the moves: more winning cells created first, ties centre first.
    const base = n * W;
    const sLo = this.sortLo;
    const sHi = this.sortHi;
    const sSc = this.sortScore;
    let count = 0;
    for (let i = 0; i < W; i++) {
      const c = COLUMN_ORDER[i]!;
      const mvLo = possLo & COL_LO[c]!;
      const mvHi = possHi & COL_HI[c]!;
      if ((mvLo | mvHi) === 0) continue;
      winningCells(curLo | mvLo, curHi | mvHi, mLo, mHi);
      const score = popcount(wLo) + popcount(wHi);
      let pos = count++;
      while (pos > 0 && sSc[base + pos - 1]! < score) {
        sLo[base + pos] = sLo[base + pos - 1]!;
        sHi[base + pos] = sHi[base + pos - 1]!;
        sSc[base + pos] = sSc[base + pos - 1]!;
        pos--;
      }
      sLo[base + pos] = mvLo;
      sHi[base + pos] = mvHi;
      sSc[base + pos] = score;
    }

    for (let i = 0; i < count; i++) {
      const mvLo = sLo[base + i]!;
      const mvHi = sHi[base + i]!;
      // Play: the opponent becomes the side to move.
      const score = -this.negamax(curLo ^ mLo, curHi ^ mHi, mLo | mvLo, mHi | mvHi, n + 1, -beta, -alpha);
      if (score >= beta) {
        this.keyLo[idx] = kLo;
        this.keyHi[idx] = kHi;
        this.val[idx] = score + LOWER_OFFSET;
        return score;
      }
      if (score > alpha) alpha = score;
    }
    this.keyLo[idx] = kLo;
    this.keyHi[idx] = kHi;
    this.val[idx] = alpha + UPPER_OFFSET;
    return alpha;
  }
}

let shared: Connect4Solver | null = null;

/** The process-wide solver behind solve()/optimalMoves() (created on first use). */
export function defaultSolver(): Connect4Solver {
  return (shared ??= new Connect4Solver());
}

/** Score of a Pons move string ("4455" -> 18) with the shared solver. */
export function solve(moves: string): number {
  return defaultSolver().solve(moves);
}

/** Score of each column (null where full) with the shared solver. */
export function columnScores(position: Connect4Position): ColumnScores {
  return defaultSolver().scores(position);
}

/**
 * Optimal columns (0-based actions) for the side to move, with the shared solver. This solves
 * every child position: fast (well under a millisecond to a few ms) from about 16 stones on, but
 * positions with only a few stones can take seconds or much longer (no opening book).
 */
export function optimalMoves(position: Connect4Position): number[] {
  return defaultSolver().optimalMoves(position);
}

/** Clear the shared solver's transposition table. */
export function reset(): void {
  defaultSolver().reset();
}
