/**
 * Go knowledge entered into a new node's children as virtual simulations (Gelly & Silver 2007,
 * "Combining online and offline knowledge in UCT": prior knowledge as equivalent experience). Each
 * child starts as `even` simulations won half the time; tactics and shape move that: a capture, a
 * save from atari, an atari, a 3x3 shape or a move near the last one add won simulations; a self-atari
 * or a first-line move far from every stone adds lost ones. On 13x13 and larger, empty corners and
 * sides are opened on the third and fourth lines, never on the first two (the opening playouts do
 * not see that; slowOpeningMove keeps first- and second-line moves out of the tree while the board is
 * open). A net's policy, when there is one, adds `policyWeight * p` won simulations.
 */
import { BORDER, Board, EMPTY } from '../env/games/go/board.ts';
import { SHAPE_MATCH } from './patterns.ts';
import type { PlayoutPolicy } from './playout.ts';
import type { NodePool } from './tree.ts';

export interface PriorWeights {
  /** Virtual simulations every child starts with, half of them won. */
  even: number;
  capture: number;
  save: number;
  atari: number;
  shape: number;
  nearLast: number;
  selfAtari: number;
  edgeFar: number;
  /** 13x13 and up: third/fourth-line bonus and second-line penalty in empty areas. */
  opening: number;
  /** Virtual won simulations per unit of net policy probability. */
  policyWeight: number;
}

export const DEFAULT_PRIORS: PriorWeights = {
  even: 10, capture: 12, save: 10, atari: 3, shape: 5, nearLast: 2, selfAtari: 12, edgeFar: 8, opening: 12, policyWeight: 40,
};

/** Is any stone within Manhattan distance `d` of p? */
function stoneNear(b: Board, p: number, d: number): boolean {
  const w = b.w;
  const r0 = (p / w) | 0;
  const c0 = p % w;
  for (let r = Math.max(1, r0 - d); r <= Math.min(b.n, r0 + d); r++) {
    const span = d - Math.abs(r - r0);
    for (let c = Math.max(1, c0 - span); c <= Math.min(b.n, c0 + span); c++) {
      const x = b.color[r * w + c]!;
      if (x !== EMPTY && x !== BORDER) return true;
    }
  }
  return false;
}

/**
 * On 13x13 and larger, while the board is still open (fewer stones than a sixth of its points), a move
 * on the first or second line is slow unless it captures, saves a chain from atari, or answers the
 * opponent's last move (within Manhattan distance 2). The search leaves such moves out of the tree.
 */
export function slowOpeningMove(b: Board, p: number, col: number, last: number): boolean {
  const n = b.n;
  if (n < 13 || n * n - b.emptyCount >= (n * n) / 6) return false;
  const w = b.w;
  const r = (p / w) | 0;
  const c = p % w;
  if (Math.min(r, c, n + 1 - r, n + 1 - c) > 2) return false;
  if (last >= 0 && Math.abs(r - ((last / w) | 0)) + Math.abs(c - (last % w)) <= 2) return false;
  for (let d = 0; d < 4; d++) {
    const q = p + b.dirs[d]!;
    const x = b.color[q]!;
    if ((x === col || x === 3 - col) && b.inAtari(b.head[q]!)) return false;
  }
  return true;
}

/**
 * Fill the priors of the children first..first+count-1 of a node whose position is `b`, `col` to
 * move, `last` the opponent's last move. `policy`, when given, is the net's prior per action (r*N+c,
 * pass N*N).
 */
export function assignPriors(
  b: Board, col: number, last: number, pool: NodePool, first: number, count: number,
  weights: PriorWeights, shapes: PlayoutPolicy, policy?: Float32Array,
): void {
  const opp = 3 - col;
  const w = b.w;
  const n = b.n;
  const lr = last >= 0 ? (last / w) | 0 : -100;
  const lc = last >= 0 ? last % w : -100;
  for (let i = first; i < first + count; i++) {
    const p = pool.move[i]!;
    let visits = weights.even;
    let wins = weights.even / 2;
    if (p < 0) {
      // Pass: neutral and light, so the search finds out what it is worth.
      visits = 2;
      wins = 1;
      if (policy) {
        const pp = policy[n * n]!;
        pool.policy[i] = pp;
        visits += weights.policyWeight * pp;
        wins += weights.policyWeight * pp;
      }
      pool.priorVisits[i] = visits;
      pool.priorWins[i] = wins;
      continue;
    }
    let tactical = false;
    if (b.isSelfAtari(p, col)) {
      visits += weights.selfAtari;
    } else {
      let captured = 0;
      let saved = 0;
      let atari = 0;
      for (let d = 0; d < 4; d++) {
        const q = p + b.dirs[d]!;
        const c = b.color[q]!;
        if (c !== col && c !== opp) continue;
        const h = b.head[q]!;
        if (c === opp) {
          if (b.inAtari(h)) captured = Math.max(captured, b.size[h]!);
          else if (b.libertiesUpTo(q, -1, 3) === 2) atari = Math.max(atari, b.size[h]!);
        } else if (b.inAtari(h)) saved = Math.max(saved, b.size[h]!);
      }
      if (captured > 0) {
        const bonus = weights.capture * (captured > 1 ? 1.5 : 1);
        visits += bonus;
        wins += bonus;
        tactical = true;
      }
      if (saved > 0) {
        const bonus = weights.save * (saved > 1 ? 1.5 : 1);
        visits += bonus;
        wins += bonus;
        tactical = true;
      }
      if (atari > 0) {
        visits += weights.atari;
        wins += weights.atari;
      }
    }
    if (SHAPE_MATCH[shapes.shapeCode(b, p)] === 1) {
      visits += weights.shape;
      wins += weights.shape;
    }
    const r = (p / w) | 0;
    const c = p % w;
    if (Math.abs(r - lr) <= 1 && Math.abs(c - lc) <= 1) {
      visits += weights.nearLast;
      wins += weights.nearLast;
    }
    const line = Math.min(r, c, n + 1 - r, n + 1 - c);
    if (!tactical) {
      if (line === 1 && !stoneNear(b, p, 2)) visits += weights.edgeFar;
      if (n >= 13) {
        if (line <= 4 && line >= 3 && !stoneNear(b, p, 4)) {
          visits += weights.opening;
          wins += weights.opening;
        }
      }
    }
    if (policy) {
      const a = (r - 1) * n + (c - 1);
      const pp = policy[a]!;
      pool.policy[i] = pp;
      visits += weights.policyWeight * pp;
      wins += weights.policyWeight * pp;
    }
    pool.priorVisits[i] = visits;
    pool.priorWins[i] = wins;
  }
}
