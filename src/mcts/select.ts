/**
 * The per-node steps of a simulation on a NodePool: choosing a child (UCB1 or PUCT), backing a
 * value up, virtual loss, and MCTS-solver proof propagation. Pure functions over the pool so that
 * the search loops in mcts.ts stay short.
 */
import { DRAW, LOSS, NodePool, UNPROVEN, WIN } from './tree.ts';

/** Parameters of child selection, resolved once per search. */
export interface SelectParams {
  puct: boolean;
  cUct: number;
  cPuct: number;
  cPuctGrowth: boolean;
  cPuctBase: number;
  /** Used when fpuIsReduction is false. */
  fpuValue: number;
  fpuIsReduction: boolean;
  fpuReduction: number;
}

/**
 * Pick the child of an expanded, unproven `node` to descend into. A child proven a win for the
 * player to move is taken at once; proven losses score below everything else; proven draws score 0.
 */
export function selectChild(pool: NodePool, node: number, sp: SelectParams): number {
  const N = pool.N;
  const W = pool.W;
  const proof = pool.proof;
  const f = pool.first[node]!;
  const end = f + pool.count[node]!;
  const parentN = N[node]!;
  let best = f;
  let bestScore = -Infinity;
  if (!sp.puct) {
    const logN = Math.log(parentN > 1 ? parentN : 1);
    const c = sp.cUct;
    for (let ch = f; ch < end; ch++) {
      const pr = proof[ch]!;
      let score: number;
      if (pr !== UNPROVEN) {
        if (pr === WIN) return ch;
        const n = N[ch]!;
        score = pr === LOSS ? -1e9 : n > 0 ? c * Math.sqrt(logN / n) : 1e9;
      } else {
        const n = N[ch]!;
        if (n === 0) return ch;
        score = W[ch]! / n + c * Math.sqrt(logN / n);
      }
      if (score > bestScore) {
        bestScore = score;
        best = ch;
      }
    }
    return best;
  }
  let c = sp.cPuct;
  if (sp.cPuctGrowth) c += Math.log((1 + parentN + sp.cPuctBase) / sp.cPuctBase);
  const cs = c * Math.sqrt(parentN > 1 ? parentN : 1);
  let fpu = sp.fpuValue;
  if (sp.fpuIsReduction) {
    const p = pool.toMove[node]!;
    const q = parentN > 0 ? W[node]! / parentN : 0;
    fpu = (pool.mover[node] === p ? q : -q) - sp.fpuReduction;
  }
  const P = pool.P;
  for (let ch = f; ch < end; ch++) {
    const pr = proof[ch]!;
    const n = N[ch]!;
    let q: number;
    if (pr !== UNPROVEN) {
      if (pr === WIN) return ch;
      q = pr === LOSS ? -1e9 : 0;
    } else {
      q = n > 0 ? W[ch]! / n : fpu;
    }
    const score = q + (cs * P[ch]!) / (1 + n);
    if (score > bestScore) {
      bestScore = score;
      best = ch;
    }
  }
  return best;
}

/** Add one visit and value `v` (for the mover of `node`) along the path from `node` to the root. */
export function backup(pool: NodePool, node: number, v: number): void {
  const N = pool.N;
  const W = pool.W;
  const parent = pool.parent;
  const mover = pool.mover;
  for (;;) {
    N[node]! += 1;
    W[node]! += v;
    const par = parent[node]!;
    if (par < 0) return;
    if (mover[par] !== mover[node]) v = -v;
    node = par;
  }
}

/** Add (sign = 1) or remove (sign = -1) virtual loss along the path from `node` to the root. */
export function virtualLoss(pool: NodePool, node: number, vl: number, sign: 1 | -1): void {
  const d = vl * sign;
  for (; node >= 0; node = pool.parent[node]!) {
    pool.N[node]! += d;
    pool.W[node]! -= d;
  }
}

/**
 * After `node` was proven, prove its ancestors where that follows: a parent is won for its player
 * to move when one child is won for that player, and otherwise takes the best child value once
 * every child is proven.
 */
export function propagateProof(pool: NodePool, node: number): void {
  const proof = pool.proof;
  let n = node;
  while (proof[n] !== UNPROVEN) {
    const par = pool.parent[n]!;
    if (par < 0) return;
    if (proof[par] !== UNPROVEN) return;
    // Children of `par` have the player to move at `par` as their mover.
    let best: number;
    if (proof[n] === WIN) {
      best = 1;
    } else {
      best = -1;
      const f = pool.first[par]!;
      const end = f + pool.count[par]!;
      for (let ch = f; ch < end; ch++) {
        const pr = proof[ch]!;
        if (pr === UNPROVEN) return;
        const v = pr - DRAW;
        if (v > best) best = v;
      }
    }
    const forMover = pool.mover[par] === pool.toMove[par] ? best : -best;
    proof[par] = DRAW + forMover;
    n = par;
  }
}
