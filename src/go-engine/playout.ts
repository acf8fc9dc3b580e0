/**
 * Heavy playouts for Go, in the manner of MoGo and Fuego (no code from either): each move is drawn
 * from the first of these that has a candidate, uniformly among its candidates:
 *   1. capture: the opponent's last move left its own chain in atari; take it;
 *   2. save: the last move put chains of ours beside it in atari; capture an attacker in atari or
 *      extend to the last liberty where that gives two or more liberties;
 *   3. shape: an empty point around the last move whose 3x3 neighbourhood matches a shape
 *      (patterns.ts);
 *   4. random: any point that is legal (simple ko), does not fill one of our true eyes and is not a
 *      self-atari (a self-atari that captures is no self-atari).
 * Moves of steps 1-3 must be legal and not self-ataris either. A player with no move passes; two
 * passes in a row, or the move cap, end the playout, which is then scored by area: stones, and
 * empty points whose neighbours are all of one colour (after a playout only eyes and seki are left).
 * Every move is recorded (point and colour) for the AMAF statistics of the search.
 */
import { BLACK, BORDER, Board, EMPTY, NO_POINT, WHITE } from '../env/games/go/board.ts';
import type { Rng } from '../util/rng.ts';
import { SHAPE_MATCH } from './patterns.ts';

/** Moves of one simulation (tree part and playout): board points (NO_POINT for pass) and colours. */
export class MoveRecord {
  readonly points: Int32Array;
  readonly colours: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.points = new Int32Array(capacity);
    this.colours = new Uint8Array(capacity);
  }
  push(p: number, col: number): void {
    if (this.length < this.points.length) {
      this.points[this.length] = p;
      this.colours[this.length++] = col;
    }
  }
}

export class PlayoutPolicy {
  private readonly cand: Int32Array;
  private readonly ring: Int32Array;
  private readonly headsSeen: Int32Array;
  /** Final owner of each board point in the last playout: 1 black, 2 white, 0 neither. */
  readonly owner: Uint8Array;

  constructor(readonly n: number) {
    const w = n + 2;
    this.cand = new Int32Array(w * w);
    this.owner = new Uint8Array(w * w);
    this.ring = Int32Array.from([-w - 1, -w, -w + 1, -1, 1, w - 1, w, w + 1]);
    this.headsSeen = new Int32Array(8);
  }

  /** 3x3 neighbourhood code of p (see patterns.ts). */
  shapeCode(b: Board, p: number): number {
    const c = b.color;
    const r = this.ring;
    return c[p + r[0]!]! | (c[p + r[1]!]! << 2) | (c[p + r[2]!]! << 4) | (c[p + r[3]!]! << 6) |
      (c[p + r[4]!]! << 8) | (c[p + r[5]!]! << 10) | (c[p + r[6]!]! << 12) | (c[p + r[7]!]! << 14);
  }

  /** Legal by the board's own rules (simple ko, no suicide) and not a self-atari. */
  private playable(b: Board, p: number, col: number): boolean {
    return b.color[p] === EMPTY && p !== b.ko && !b.isSuicide(p, col) && !b.isSelfAtari(p, col);
  }

  /** The playout's move for `col`, the opponent having just played `last` (NO_POINT: pass or none). */
  chooseMove(b: Board, col: number, last: number, rng: Rng): number {
    if (last !== NO_POINT && b.color[last] !== EMPTY) {
      const cand = this.cand;
      const opp = 3 - col;
      let k = 0;
      // 1. Capture the last move's chain.
      const lh = b.head[last]!;
      if (b.color[last] === opp && b.inAtari(lh)) {
        const lib = b.atariLiberty(lh);
        if (b.color[lib] === EMPTY && lib !== b.ko && !b.isSuicide(lib, col)) return lib;
      }
      // 2. Save our chains that the last move put in atari.
      let seen = 0;
      for (let d = 0; d < 4; d++) {
        const q = last + b.dirs[d]!;
        if (b.color[q] !== col) continue;
        const h = b.head[q]!;
        let dup = false;
        for (let i = 0; i < seen; i++) if (this.headsSeen[i] === h) dup = true;
        if (dup || !b.inAtari(h)) continue;
        this.headsSeen[seen++] = h;
        k = this.saveMoves(b, h, col, k);
      }
      if (k > 0) return cand[(rng.nextUint32() % k) >>> 0]!;
      // 3. Shapes around the last move.
      const r = this.ring;
      for (let i = 0; i < 8; i++) {
        const q = last + r[i]!;
        if (b.color[q] !== EMPTY || SHAPE_MATCH[this.shapeCode(b, q)] === 0) continue;
        if (this.playable(b, q, col)) cand[k++] = q;
      }
      if (k > 0) return cand[(rng.nextUint32() % k) >>> 0]!;
    }
    // 4. Random.
    const n = b.emptyCount;
    if (n === 0) return NO_POINT;
    const start = (rng.nextUint32() % n) >>> 0;
    for (let i = 0; i < n; i++) {
      let j = start + i;
      if (j >= n) j -= n;
      const p = b.empties[j]!;
      if (p === b.ko || b.isEye(p, col) || b.isSuicide(p, col) || b.isSelfAtari(p, col)) continue;
      return p;
    }
    return NO_POINT;
  }

  /**
   * Moves that save the chain with head h (in atari): capture a neighbouring enemy chain in atari, or
   * extend to the liberty when that leaves two or more liberties. Appends to cand from index k.
   */
  private saveMoves(b: Board, h: number, col: number, k: number): number {
    const cand = this.cand;
    const opp = 3 - col;
    let s = h;
    do {
      for (let d = 0; d < 4; d++) {
        const q = s + b.dirs[d]!;
        if (b.color[q] === opp) {
          const qh = b.head[q]!;
          if (b.inAtari(qh)) {
            const lib = b.atariLiberty(qh);
            if (lib !== b.ko && !b.isSuicide(lib, col)) cand[k++] = lib;
          }
        }
      }
      s = b.next[s]!;
    } while (s !== h);
    const lib = b.atariLiberty(h);
    if (lib !== b.ko && b.color[lib] === EMPTY && !b.isSuicide(lib, col) && !b.isSelfAtari(lib, col)) cand[k++] = lib;
    return k;
  }

  /**
   * Play the game out from b (changed in place), `col` to move, the opponent's last move `last`.
   * Records every move; returns the area score, Black minus White minus komi; `owner` holds each
   * point's final owner.
   */
  run(b: Board, col: number, last: number, rng: Rng, komi: number, maxMoves: number, rec: MoveRecord): number {
    let passes = 0;
    let moves = 0;
    while (passes < 2 && moves < maxMoves) {
      const p = this.chooseMove(b, col, last, rng);
      b.play(p, col);
      rec.push(p, col);
      passes = p === NO_POINT ? passes + 1 : 0;
      last = p;
      col = 3 - col;
      moves++;
    }
    return this.score(b, komi);
  }

  /** Area score of a played-out board (see the file comment), filling `owner`. */
  score(b: Board, komi: number): number {
    const w = b.w;
    const own = this.owner;
    const color = b.color;
    let black = 0;
    let white = 0;
    for (let r = 1; r <= b.n; r++) {
      for (let c = 1; c <= b.n; c++) {
        const p = r * w + c;
        let o = color[p]!;
        if (o === EMPTY) {
          let seen = 0;
          const a = color[p - w]!;
          const d = color[p + 1]!;
          const e = color[p + w]!;
          const f = color[p - 1]!;
          if (a !== BORDER) seen |= a;
          if (d !== BORDER) seen |= d;
          if (e !== BORDER) seen |= e;
          if (f !== BORDER) seen |= f;
          o = seen === BLACK || seen === WHITE ? seen : EMPTY;
        }
        own[p] = o;
        if (o === BLACK) black++;
        else if (o === WHITE) white++;
      }
    }
    return black - white - komi;
  }
}
