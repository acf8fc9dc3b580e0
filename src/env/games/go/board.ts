/**
 * Fast Go board (after KataGo's board.h and Leela Zero's FastBoard; no code copied).
 *
 * Flat typed arrays over an (N+2) x (N+2) grid with a one-point border. Each chain is a ring of
 * stones (`next`) with a head (`head[p]`); the head holds the stone count and pseudo-liberties
 * (one per stone/empty adjacency) with their sum and sum of squares, so "exactly one distinct
 * liberty" (atari) is exact: count * sumSq === sum * sum. A 64-bit Zobrist hash of the stones is
 * kept incrementally as two uint32 halves. `play` allocates nothing.
 *
 * Points: p = (r + 1) * W + (c + 1), W = N + 2, row 0 at the top. Colours: 0 empty, 1 black,
 * 2 white, 3 border. The board knows simple ko only; superko lives in rules.ts.
 */
import type { Rng } from '../../../util/rng.ts';

export const EMPTY = 0;
export const BLACK = 1;
export const WHITE = 2;
export const BORDER = 3;
export const NO_POINT = -1;

const MAX_W = 21;
const ZOBRIST_LO = new Uint32Array(3 * MAX_W * MAX_W);
const ZOBRIST_HI = new Uint32Array(3 * MAX_W * MAX_W);
{
  let x = 0x2545f491;
  const next = (): number => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  for (let i = 0; i < ZOBRIST_LO.length; i++) {
    ZOBRIST_LO[i] = next();
    ZOBRIST_HI[i] = next();
  }
}

export class Board {
  readonly n: number;
  readonly w: number;
  readonly cells: number;
  readonly color: Uint8Array;
  readonly head: Int32Array;
  readonly next: Int32Array;
  readonly size: Int32Array;
  readonly libs: Int32Array;
  readonly libSum: Float64Array;
  readonly libSq: Float64Array;
  /** Empty interior points, in no order; emptyIdx[p] is p's index there. */
  readonly empties: Int32Array;
  readonly emptyIdx: Int32Array;
  emptyCount = 0;
  ko = NO_POINT;
  hashLo = 0;
  hashHi = 0;
  /** Stones captured by the last play (0 for pass). */
  lastCaptures = 0;
  readonly captures = new Int32Array(3);
  readonly dirs: Int32Array;
  private readonly diag: Int32Array;
  private readonly mark: Int32Array;
  private markGen = 0;
  private readonly stack: Int32Array;

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 2 || n > 19) throw new RangeError(`Go board size must be an integer in 2..19, got ${n}`);
    this.n = n;
    this.w = n + 2;
    this.cells = this.w * this.w;
    const c = this.cells;
    this.color = new Uint8Array(c);
    this.head = new Int32Array(c);
    this.next = new Int32Array(c);
    this.size = new Int32Array(c);
    this.libs = new Int32Array(c);
    this.libSum = new Float64Array(c);
    this.libSq = new Float64Array(c);
    this.empties = new Int32Array(n * n);
    this.emptyIdx = new Int32Array(c).fill(-1);
    this.mark = new Int32Array(c);
    this.stack = new Int32Array(c);
    this.dirs = new Int32Array([-this.w, 1, this.w, -1]);
    this.diag = new Int32Array([-this.w - 1, -this.w + 1, this.w - 1, this.w + 1]);
    this.clear();
  }

  clear(): void {
    const w = this.w;
    this.color.fill(BORDER);
    this.emptyIdx.fill(-1);
    this.emptyCount = 0;
    for (let r = 0; r < this.n; r++) {
      for (let c = 0; c < this.n; c++) {
        const p = (r + 1) * w + c + 1;
        this.color[p] = EMPTY;
        this.emptyIdx[p] = this.emptyCount;
        this.empties[this.emptyCount++] = p;
      }
    }
    this.head.fill(0);
    this.size.fill(0);
    this.libs.fill(0);
    this.ko = NO_POINT;
    this.hashLo = 0;
    this.hashHi = 0;
    this.lastCaptures = 0;
    this.captures.fill(0);
  }

  copyFrom(o: Board): void {
    if (o.n !== this.n) throw new RangeError(`copyFrom: board sizes differ (${o.n} vs ${this.n})`);
    this.color.set(o.color);
    this.head.set(o.head);
    this.next.set(o.next);
    this.size.set(o.size);
    this.libs.set(o.libs);
    this.libSum.set(o.libSum);
    this.libSq.set(o.libSq);
    this.empties.set(o.empties);
    this.emptyIdx.set(o.emptyIdx);
    this.emptyCount = o.emptyCount;
    this.ko = o.ko;
    this.hashLo = o.hashLo;
    this.hashHi = o.hashHi;
    this.lastCaptures = o.lastCaptures;
    this.captures.set(o.captures);
  }

  clone(): Board {
    const b = new Board(this.n);
    b.copyFrom(this);
    return b;
  }

  point(r: number, c: number): number {
    return (r + 1) * this.w + c + 1;
  }
  /** Action index (r * N + c) of a board point. */
  toAction(p: number): number {
    return (((p / this.w) | 0) - 1) * this.n + (p % this.w) - 1;
  }
  fromAction(a: number): number {
    return (((a / this.n) | 0) + 1) * this.w + (a % this.n) + 1;
  }

  /** Chain in atari (exactly one distinct liberty). `h` must be a chain head. */
  inAtari(h: number): boolean {
    const k = this.libs[h]!;
    return k > 0 && k * this.libSq[h]! === this.libSum[h]! * this.libSum[h]!;
  }
  /** The only liberty of a chain in atari. */
  atariLiberty(h: number): number {
    return Math.round(this.libSum[h]! / this.libs[h]!);
  }

  /** Legal for `col` by the board's own rules: empty, not the simple-ko point, not suicide unless allowed. */
  isLegal(p: number, col: number, allowSuicide = false): boolean {
    if (this.color[p] !== EMPTY || p === this.ko) return false;
    return allowSuicide || !this.isSuicide(p, col);
  }

  isSuicide(p: number, col: number): boolean {
    const opp = 3 - col;
    for (let d = 0; d < 4; d++) {
      const q = p + this.dirs[d]!;
      const cq = this.color[q]!;
      if (cq === EMPTY) return false;
      if (cq === col) {
        if (!this.inAtari(this.head[q]!)) return false;
      } else if (cq === opp) {
        if (this.inAtari(this.head[q]!)) return false;
      }
    }
    return true;
  }

  /** A true eye of `col` for random playouts: all neighbours own (or border), few enemy diagonals. */
  isEye(p: number, col: number): boolean {
    if (this.color[p] !== EMPTY) return false;
    for (let d = 0; d < 4; d++) {
      const cq = this.color[p + this.dirs[d]!]!;
      if (cq !== col && cq !== BORDER) return false;
    }
    let bad = 0;
    let edge = 0;
    for (let d = 0; d < 4; d++) {
      const cq = this.color[p + this.diag[d]!]!;
      if (cq === BORDER) edge = 1;
      else if (cq === 3 - col) bad++;
    }
    return bad + edge < 2;
  }

  private addEmpty(p: number): void {
    this.emptyIdx[p] = this.emptyCount;
    this.empties[this.emptyCount++] = p;
  }
  private removeEmpty(p: number): void {
    const i = this.emptyIdx[p]!;
    const last = this.empties[--this.emptyCount]!;
    this.empties[i] = last;
    this.emptyIdx[last] = i;
    this.emptyIdx[p] = -1;
  }
  private xorStone(p: number, col: number): void {
    const z = col * MAX_W * MAX_W + ((((p / this.w) | 0) * MAX_W) + (p % this.w));
    this.hashLo = (this.hashLo ^ ZOBRIST_LO[z]!) >>> 0;
    this.hashHi = (this.hashHi ^ ZOBRIST_HI[z]!) >>> 0;
  }
  /** Zobrist halves of one stone (for predicting hashes without playing). */
  stoneKey(p: number, col: number, hi: boolean): number {
    const z = col * MAX_W * MAX_W + ((((p / this.w) | 0) * MAX_W) + (p % this.w));
    return hi ? ZOBRIST_HI[z]! : ZOBRIST_LO[z]!;
  }

  /**
   * Play `col` at p (or pass with p = NO_POINT). The caller checks legality first (isLegal);
   * with suicide allowed, a suicidal move removes the mover's own chain.
   */
  play(p: number, col: number): void {
    this.lastCaptures = 0;
    if (p === NO_POINT) {
      this.ko = NO_POINT;
      return;
    }
    const opp = 3 - col;
    const dirs = this.dirs;
    this.color[p] = col;
    this.removeEmpty(p);
    this.xorStone(p, col);
    this.head[p] = p;
    this.next[p] = p;
    this.size[p] = 1;
    let nl = 0;
    let ns = 0;
    let nq = 0;
    for (let d = 0; d < 4; d++) {
      const q = p + dirs[d]!;
      const cq = this.color[q]!;
      if (cq === EMPTY) {
        nl++;
        ns += q;
        nq += q * q;
      } else if (cq === col || cq === opp) {
        const h = this.head[q]!;
        this.libs[h]!--;
        this.libSum[h]! -= p;
        this.libSq[h]! -= p * p;
      }
    }
    this.libs[p] = nl;
    this.libSum[p] = ns;
    this.libSq[p] = nq;
    let captured = 0;
    let capturedAt = NO_POINT;
    for (let d = 0; d < 4; d++) {
      const q = p + dirs[d]!;
      const cq = this.color[q]!;
      if (cq === col) {
        const h = this.head[q]!;
        const mine = this.head[p]!;
        if (h !== mine) this.merge(mine, h);
      } else if (cq === opp) {
        const h = this.head[q]!;
        if (this.libs[h] === 0) {
          captured += this.size[h]!;
          capturedAt = q;
          this.removeChain(h);
        }
      }
    }
    const mh = this.head[p]!;
    this.ko = NO_POINT;
    if (captured === 1 && this.size[mh] === 1 && this.libs[mh] === 1) this.ko = capturedAt;
    if (this.libs[mh] === 0) {
      // Suicide (only reached when the caller allows it).
      this.captures[opp]! += this.size[mh]!;
      this.removeChain(mh);
    }
    this.captures[col]! += captured;
    this.lastCaptures = captured;
  }

  /** Merge chain `b` into chain `a` (both heads); the larger keeps its head. */
  private merge(a: number, b: number): void {
    if (this.size[a]! < this.size[b]!) {
      const t = a;
      a = b;
      b = t;
    }
    this.size[a]! += this.size[b]!;
    this.libs[a]! += this.libs[b]!;
    this.libSum[a]! += this.libSum[b]!;
    this.libSq[a]! += this.libSq[b]!;
    let s = b;
    do {
      this.head[s] = a;
      s = this.next[s]!;
    } while (s !== b);
    const t = this.next[a]!;
    this.next[a] = this.next[b]!;
    this.next[b] = t;
  }

  private removeChain(h: number): void {
    const col = this.color[h]!;
    const dirs = this.dirs;
    let s = h;
    do {
      for (let d = 0; d < 4; d++) {
        const q = s + dirs[d]!;
        const cq = this.color[q]!;
        if (cq !== EMPTY && cq !== BORDER && cq !== col) {
          const qh = this.head[q]!;
          this.libs[qh]!++;
          this.libSum[qh]! += s;
          this.libSq[qh]! += s * s;
        }
      }
      s = this.next[s]!;
    } while (s !== h);
    s = h;
    do {
      const nx = this.next[s]!;
      this.color[s] = EMPTY;
      this.xorStone(s, col);
      this.addEmpty(s);
      s = nx;
    } while (s !== h);
    // Neighbouring stones of the same colour were part of this chain, so no liberties are owed to it.
  }

  /** Exact number of distinct liberties of the chain through p. */
  chainLiberties(p: number): number {
    const h = this.head[p]!;
    const gen = ++this.markGen;
    let count = 0;
    let s = h;
    do {
      for (let d = 0; d < 4; d++) {
        const q = s + this.dirs[d]!;
        if (this.color[q] === EMPTY && this.mark[q] !== gen) {
          this.mark[q] = gen;
          count++;
        }
      }
      s = this.next[s]!;
    } while (s !== h);
    return count;
  }

  /** Distinct liberties of the chain through q, not counting `except`, counted up to `limit`. */
  libertiesUpTo(q: number, except: number, limit: number): number {
    const gen = ++this.markGen;
    const h = this.head[q]!;
    let n = 0;
    let s = h;
    do {
      for (let d = 0; d < 4; d++) {
        const r = s + this.dirs[d]!;
        if (this.color[r] === EMPTY && r !== except && this.mark[r] !== gen) {
          this.mark[r] = gen;
          if (++n >= limit) return n;
        }
      }
      s = this.next[s]!;
    } while (s !== h);
    return n;
  }

  /**
   * Would `col` at the empty point p leave its own chain with exactly one liberty, capturing nothing?
   * (A move that captures always gains the captured points as liberties.)
   */
  isSelfAtari(p: number, col: number): boolean {
    const gen = ++this.markGen;
    let libs = 0;
    for (let d = 0; d < 4; d++) {
      const q = p + this.dirs[d]!;
      const c = this.color[q]!;
      if (c === EMPTY) {
        if (this.mark[q] !== gen) {
          this.mark[q] = gen;
          if (++libs >= 2) return false;
        }
      } else if (c === 3 - col && this.inAtari(this.head[q]!)) return false;
    }
    for (let d = 0; d < 4; d++) {
      const q = p + this.dirs[d]!;
      if (this.color[q] !== col) continue;
      const h = this.head[q]!;
      let s = h;
      do {
        for (let e = 0; e < 4; e++) {
          const r = s + this.dirs[e]!;
          if (this.color[r] === EMPTY && r !== p && this.mark[r] !== gen) {
            this.mark[r] = gen;
            if (++libs >= 2) return false;
          }
        }
        s = this.next[s]!;
      } while (s !== h);
    }
    return libs === 1;
  }

  /** Tromp-Taylor area: [black, white] stones plus empty regions reaching only that colour. */
  area(out: Int32Array = new Int32Array(3)): Int32Array {
    out[1] = 0;
    out[2] = 0;
    const gen = ++this.markGen;
    const st = this.stack;
    for (let r = 0; r < this.n; r++) {
      for (let c = 0; c < this.n; c++) {
        const p = (r + 1) * this.w + c + 1;
        const cp = this.color[p]!;
        if (cp === BLACK || cp === WHITE) {
          out[cp]!++;
          continue;
        }
        if (this.mark[p] === gen) continue;
        let sp = 0;
        let region = 0;
        let reach = 0;
        st[sp++] = p;
        this.mark[p] = gen;
        while (sp > 0) {
          const x = st[--sp]!;
          region++;
          for (let d = 0; d < 4; d++) {
            const q = x + this.dirs[d]!;
            const cq = this.color[q]!;
            if (cq === EMPTY) {
              if (this.mark[q] !== gen) {
                this.mark[q] = gen;
                st[sp++] = q;
              }
            } else if (cq !== BORDER) reach |= cq;
          }
        }
        if (reach === BLACK || reach === WHITE) out[reach]! += region;
      }
    }
    return out;
  }

  /** Black area minus white area minus komi (Tromp-Taylor). */
  score(komi: number): number {
    const a = this.area();
    return a[1]! - a[2]! - komi;
  }

  /**
   * Random playout from this position (modified in place): each side plays a uniformly random
   * legal move that does not fill its own true eye, passing only when it has none; two passes end
   * the game. Simple ko only; `maxMoves` caps rare long cycles. Returns the number of moves played.
   */
  playout(toPlay: number, rng: Rng, maxMoves: number, allowSuicide = false): number {
    let col = toPlay;
    let passes = 0;
    let moves = 0;
    while (passes < 2 && moves < maxMoves) {
      const n = this.emptyCount;
      let played = false;
      if (n > 0) {
        const start = (rng.nextUint32() % n) >>> 0;
        for (let i = 0; i < n; i++) {
          let j = start + i;
          if (j >= n) j -= n;
          const p = this.empties[j]!;
          if (p === this.ko || this.isEye(p, col)) continue;
          if (!allowSuicide && this.isSuicide(p, col)) continue;
          this.play(p, col);
          played = true;
          break;
        }
      }
      if (played) passes = 0;
      else {
        this.ko = NO_POINT;
        passes++;
      }
      moves++;
      col = 3 - col;
    }
    return moves;
  }
}
