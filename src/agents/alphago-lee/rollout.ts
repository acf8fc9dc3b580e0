/**
 * The fast rollout policy (Silver et al. 2016, "Rollout policy", Extended Data Table 4, simplified):
 * a linear softmax over sparse binary features of each candidate point p, for the player to move:
 *   - the 3x3 pattern around p (8 neighbours, each empty / own / opponent / off-board: 4^8 weights)
 *   - the response pattern: the same 3x3 pattern in a second table, active only when p is one of
 *     the 8 points around the opponent's last move
 *   - save atari (p is the last liberty of an own chain, and playing there gives it 2+ liberties),
 *     capture (p takes an opponent chain in atari), self-atari, atari (p leaves an opponent chain
 *     one liberty), each with a "2+ stones" variant; Manhattan distance 1..4 to the last move; the
 *     line p is on (1st..4th+).
 * Candidates are the empty points that are legal (simple ko, no suicide) and do not fill one's own
 * eye; a player with no candidate passes. Training is plain SGD on the expert move's log-likelihood.
 * Board code only: typed arrays and loops, no tensors.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../util/errors.ts';
import { writeJsonAtomic } from '../../util/fs.ts';
import { Rng } from '../../util/rng.ts';
import { Board, BORDER, EMPTY, NO_POINT } from '../../env/games/go/board.ts';
import { forEachPosition, type ExpertGame } from './data.ts';

export const PAT = 65536;
export const RESP_BASE = PAT;
export const SCALAR_BASE = 2 * PAT;
export const F_SAVE = SCALAR_BASE + 0;
export const F_SAVE_BIG = SCALAR_BASE + 1;
export const F_CAPTURE = SCALAR_BASE + 2;
export const F_CAPTURE_BIG = SCALAR_BASE + 3;
export const F_SELF_ATARI = SCALAR_BASE + 4;
export const F_SELF_ATARI_BIG = SCALAR_BASE + 5;
export const F_ATARI = SCALAR_BASE + 6;
export const F_ATARI_BIG = SCALAR_BASE + 7;
export const F_DIST = SCALAR_BASE + 8; // + 0..3 for distance 1..4
export const F_LINE = SCALAR_BASE + 12; // + 0..3 for lines 1..4+
export const NUM_ROLLOUT_FEATURES = SCALAR_BASE + 16;
/** Most features one candidate can have. */
export const MAX_FEATURES = 12;

/** Neighbours in pattern order: N, NE, E, SE, S, SW, W, NW. */
function ring(w: number): Int32Array {
  return Int32Array.from([-w, -w + 1, 1, w + 1, w, w - 1, -1, -w - 1]);
}

/**
 * Feature indices of `col` playing the empty point p (last = the previous move's point or NO_POINT).
 * Writes them to out and returns how many.
 */
export function candidateFeatures(b: Board, p: number, col: number, last: number, out: Int32Array): number {
  const w = b.w;
  const nb = ring(w);
  const opp = 3 - col;
  let pat = 0;
  for (let i = 7; i >= 0; i--) {
    const c = b.color[p + nb[i]!]!;
    pat = pat * 4 + (c === EMPTY ? 0 : c === col ? 1 : c === opp ? 2 : 3);
  }
  let k = 0;
  out[k++] = pat;
  if (last !== NO_POINT) {
    const dr = Math.abs(((p / w) | 0) - ((last / w) | 0));
    const dc = Math.abs((p % w) - (last % w));
    if (dr <= 1 && dc <= 1) out[k++] = RESP_BASE + pat;
    const dist = dr + dc;
    if (dist >= 1 && dist <= 4) out[k++] = F_DIST + dist - 1;
  }
  const r = ((p / w) | 0) - 1;
  const c = (p % w) - 1;
  const line = Math.min(r, c, b.n - 1 - r, b.n - 1 - c);
  out[k++] = F_LINE + Math.min(line, 3);
  let save = 0;
  let capture = 0;
  let atari = 0;
  for (let d = 0; d < 4; d++) {
    const q = p + b.dirs[d]!;
    const cq = b.color[q]!;
    if (cq === EMPTY || cq === BORDER) continue;
    const h = b.head[q]!;
    if (cq === opp) {
      if (b.inAtari(h)) capture = Math.max(capture, b.size[h]!);
      else if (b.libertiesUpTo(q, NO_POINT, 3) === 2) atari = Math.max(atari, b.size[h]!);
    } else if (b.inAtari(h)) save = Math.max(save, b.size[h]!);
  }
  const sa = b.isSelfAtari(p, col);
  if (save > 0 && !sa) out[k++] = save >= 2 ? F_SAVE_BIG : F_SAVE;
  if (capture > 0) out[k++] = capture >= 2 ? F_CAPTURE_BIG : F_CAPTURE;
  if (atari > 0) out[k++] = atari >= 2 ? F_ATARI_BIG : F_ATARI;
  if (sa) {
    let big = false;
    for (let d = 0; d < 4; d++) if (b.color[p + b.dirs[d]!] === col) big = true;
    out[k++] = big ? F_SELF_ATARI_BIG : F_SELF_ATARI;
  }
  return k;
}

/** A candidate move for the rollout policy: empty, legal by simple ko / no suicide, not own eye. */
export function isCandidate(b: Board, p: number, col: number): boolean {
  return b.color[p] === EMPTY && p !== b.ko && !b.isEye(p, col) && !b.isSuicide(p, col);
}

export class RolloutPolicy {
  readonly weights: Float32Array;
  private readonly feat = new Int32Array(MAX_FEATURES);
  private probs = new Float64Array(0);
  private pts = new Int32Array(0);

  constructor(weights?: Float32Array) {
    this.weights = weights ?? new Float32Array(NUM_ROLLOUT_FEATURES);
    if (this.weights.length !== NUM_ROLLOUT_FEATURES) {
      throw new UserError(`rollout policy: expected ${NUM_ROLLOUT_FEATURES} weights, got ${this.weights.length}`);
    }
  }

  /** Linear score of one candidate. */
  score(b: Board, p: number, col: number, last: number): number {
    const k = candidateFeatures(b, p, col, last, this.feat);
    let s = 0;
    for (let i = 0; i < k; i++) s += this.weights[this.feat[i]!]!;
    return s;
  }

  /** The most likely candidate (NO_POINT: none, i.e. pass). */
  best(b: Board, col: number, last: number): number {
    let bp = NO_POINT;
    let bs = -Infinity;
    for (let i = 0; i < b.emptyCount; i++) {
      const p = b.empties[i]!;
      if (!isCandidate(b, p, col)) continue;
      const s = this.score(b, p, col, last);
      if (s > bs) {
        bs = s;
        bp = p;
      }
    }
    return bp;
  }

  /** Sample a move from the softmax (NO_POINT: pass). */
  sample(b: Board, col: number, last: number, rng: Rng): number {
    if (this.probs.length < b.cells) {
      this.probs = new Float64Array(b.cells);
      this.pts = new Int32Array(b.cells);
    }
    let n = 0;
    let max = -Infinity;
    for (let i = 0; i < b.emptyCount; i++) {
      const p = b.empties[i]!;
      if (!isCandidate(b, p, col)) continue;
      const s = this.score(b, p, col, last);
      this.pts[n] = p;
      this.probs[n++] = s;
      if (s > max) max = s;
    }
    if (n === 0) return NO_POINT;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const e = Math.exp(this.probs[i]! - max);
      this.probs[i] = e;
      total += e;
    }
    let u = rng.nextDouble() * total;
    for (let i = 0; i < n; i++) {
      u -= this.probs[i]!;
      if (u <= 0) return this.pts[i]!;
    }
    return this.pts[n - 1]!;
  }

  /**
   * Play the game out from `board` (modified in place) with `col` to move, until two passes or
   * maxMoves; returns the Tromp-Taylor score (Black minus White minus komi) and the moves played.
   */
  playout(board: Board, col: number, last: number, komi: number, rng: Rng, maxMoves: number): { score: number; moves: number } {
    let passes = 0;
    let moves = 0;
    while (passes < 2 && moves < maxMoves) {
      const p = this.sample(board, col, last, rng);
      board.play(p, col);
      passes = p === NO_POINT ? passes + 1 : 0;
      last = p;
      col = 3 - col;
      moves++;
    }
    return { score: board.score(komi), moves };
  }

  save(dir: string, extra: Record<string, unknown> = {}): void {
    const nz: Array<[number, number]> = [];
    for (let i = 0; i < this.weights.length; i++) if (this.weights[i] !== 0) nz.push([i, this.weights[i]!]);
    writeJsonAtomic(join(dir, 'rollout.json'), { format: 'tengen-lee-rollout', features: NUM_ROLLOUT_FEATURES, weights: nz, ...extra });
  }

  static load(dir: string): { policy: RolloutPolicy; meta: Record<string, unknown> } {
    const path = dir.endsWith('.json') ? dir : join(dir, 'rollout.json');
    if (!existsSync(path)) throw new UserError(`rollout policy: ${path} not found (train one with 'tengen lee rollout')`);
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new UserError(`rollout policy: ${path} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    if (j['format'] !== 'tengen-lee-rollout' || j['features'] !== NUM_ROLLOUT_FEATURES || !Array.isArray(j['weights'])) {
      throw new UserError(`rollout policy: ${path} is not a tengen rollout policy with ${NUM_ROLLOUT_FEATURES} features`);
    }
    const w = new Float32Array(NUM_ROLLOUT_FEATURES);
    for (const e of j['weights'] as unknown[]) {
      if (!Array.isArray(e) || typeof e[0] !== 'number' || typeof e[1] !== 'number' || e[0] < 0 || e[0] >= w.length) {
        throw new UserError(`rollout policy: ${path} has a malformed weight entry`);
      }
      w[e[0]] = e[1];
    }
    const { weights: _w, ...meta } = j;
    void _w;
    return { policy: new RolloutPolicy(w), meta };
  }
}

/** Training examples in compressed form: per position, its candidates; per candidate, its features. */
export interface RolloutExamples {
  /** posStart[i]..posStart[i+1]: candidates of position i. */
  posStart: Int32Array;
  /** Index (within the position's candidates) of the expert move. */
  target: Int32Array;
  /** candStart[j]..candStart[j+1]: features of candidate j. */
  candStart: Int32Array;
  feats: Int32Array;
}

export function buildRolloutExamples(games: ExpertGame[]): RolloutExamples {
  const posStart: number[] = [0];
  const target: number[] = [];
  const candStart: number[] = [0];
  const feats: number[] = [];
  const tmp = new Int32Array(MAX_FEATURES);
  for (const g of games) {
    forEachPosition(g, (s, a) => {
      const b = s.board;
      const col = s.nextColor() + 1;
      const h = s.history();
      // The previous move (a pass gives no last point).
      const last = h.length > 0 && h[h.length - 1] !== s.game.pass ? b.fromAction(h[h.length - 1]!) : NO_POINT;
      const expert = b.fromAction(a);
      let t = -1;
      let nc = 0;
      for (let i = 0; i < b.emptyCount; i++) {
        const p = b.empties[i]!;
        if (p !== expert && !isCandidate(b, p, col)) continue;
        if (p === expert) t = nc;
        const k = candidateFeatures(b, p, col, last, tmp);
        for (let j = 0; j < k; j++) feats.push(tmp[j]!);
        candStart.push(feats.length);
        nc++;
      }
      if (t < 0) {
        candStart.length -= nc;
        feats.length = candStart[candStart.length - 1]!;
        return;
      }
      target.push(t);
      posStart.push(posStart[posStart.length - 1]! + nc);
    });
  }
  return { posStart: Int32Array.from(posStart), target: Int32Array.from(target), candStart: Int32Array.from(candStart), feats: Int32Array.from(feats) };
}

/** Mean cross-entropy and top-1 accuracy of the policy on the examples. */
export function evaluateRollout(w: Float32Array, ex: RolloutExamples): { loss: number; accuracy: number; positions: number } {
  const n = ex.target.length;
  let loss = 0;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const c0 = ex.posStart[i]!;
    const c1 = ex.posStart[i + 1]!;
    let max = -Infinity;
    let arg = -1;
    const scores = new Float64Array(c1 - c0);
    for (let c = c0; c < c1; c++) {
      let s = 0;
      for (let f = ex.candStart[c]!; f < ex.candStart[c + 1]!; f++) s += w[ex.feats[f]!]!;
      scores[c - c0] = s;
      if (s > max) {
        max = s;
        arg = c - c0;
      }
    }
    let z = 0;
    for (const s of scores) z += Math.exp(s - max);
    loss += -(scores[ex.target[i]!]! - max - Math.log(z));
    if (arg === ex.target[i]) hits++;
  }
  return { loss: n ? loss / n : 0, accuracy: n ? hits / n : 0, positions: n };
}

/** One epoch of SGD (positions in a seeded random order). Returns the mean training loss. */
export function sgdEpoch(w: Float32Array, ex: RolloutExamples, lr: number, rng: Rng): number {
  const n = ex.target.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  let loss = 0;
  let scores = new Float64Array(512);
  for (const i of order) {
    const c0 = ex.posStart[i]!;
    const c1 = ex.posStart[i + 1]!;
    if (scores.length < c1 - c0) scores = new Float64Array(c1 - c0);
    let max = -Infinity;
    for (let c = c0; c < c1; c++) {
      let s = 0;
      for (let f = ex.candStart[c]!; f < ex.candStart[c + 1]!; f++) s += w[ex.feats[f]!]!;
      scores[c - c0] = s;
      if (s > max) max = s;
    }
    let z = 0;
    for (let c = 0; c < c1 - c0; c++) {
      scores[c] = Math.exp(scores[c]! - max);
      z += scores[c]!;
    }
    const t = ex.target[i]!;
    loss += -Math.log(scores[t]! / z);
    for (let c = c0; c < c1; c++) {
      const g = scores[c - c0]! / z - (c - c0 === t ? 1 : 0);
      if (g === 0) continue;
      for (let f = ex.candStart[c]!; f < ex.candStart[c + 1]!; f++) w[ex.feats[f]!]! -= lr * g;
    }
  }
  return n ? loss / n : 0;
}

/** Mean microseconds per rollout move, measured on playouts from the empty board. */
export function rolloutSpeed(policy: RolloutPolicy, size: number, komi: number, playouts: number, seed: number): { usPerMove: number; movesPerPlayout: number } {
  const rng = new Rng(seed);
  const b = new Board(size);
  let moves = 0;
  const t0 = performance.now();
  for (let i = 0; i < playouts; i++) {
    b.clear();
    moves += policy.playout(b, 1, NO_POINT, komi, rng, size * size * 3).moves;
  }
  const us = ((performance.now() - t0) * 1000) / Math.max(1, moves);
  return { usPerMove: us, movesPerPlayout: moves / Math.max(1, playouts) };
}
