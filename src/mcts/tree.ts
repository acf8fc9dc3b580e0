/**
 * The search tree as a pool of nodes held in parallel typed arrays (struct of arrays), so that a
 * simulation allocates nothing per node and the garbage collector never sees the tree.
 *
 * A node is an index. The children of a node are contiguous: first[n] .. first[n] + count[n] - 1.
 * Values are stored from the point of view of the node's `mover`, the player who chose the action
 * that leads to the node (the player to move at its parent). Selection at a parent whose player
 * to move is P then reads the children's W/N directly, since their mover is P. Nothing assumes
 * that players alternate: every conversion compares players (passes in Othello/Go keep the mover).
 *
 * Proofs (MCTS-solver): proof[n] is UNPROVEN, or LOSS / DRAW / WIN for the node's mover; the exact
 * game-theoretic value is proof[n] - DRAW in {-1, 0, +1}.
 */
import { resized } from '../util/typed-arrays.ts';

export const UNPROVEN = 0;
export const LOSS = 1;
export const DRAW = 2;
export const WIN = 3;

export const FLAG_EXPANDED = 1;
export const FLAG_TERMINAL = 2;
/** The node is a leaf waiting for an evaluation in the current batch (collision detection). */
export const FLAG_PENDING = 4;

/** Player to move of a node that has not been visited yet, or of a terminal one. */
export const NO_PLAYER = -1;

export class NodePool {
  capacity: number;
  size = 0;
  /** Visit counts, virtual losses included while a batch is in flight. */
  N: Float64Array;
  /** Sum of backed-up values, from the mover's point of view. */
  W: Float64Array;
  /** Prior probability of the action leading to the node. */
  P: Float32Array;
  first: Int32Array;
  count: Int32Array;
  action: Int32Array;
  parent: Int32Array;
  /** Player who chose the action leading here (0 or 1). */
  mover: Int8Array;
  /** Player to move at this node, NO_PLAYER until expanded or when terminal. */
  toMove: Int8Array;
  proof: Uint8Array;
  flags: Uint8Array;

  constructor(capacity = 1 << 12) {
    this.capacity = Math.max(16, capacity);
    const c = this.capacity;
    this.N = new Float64Array(c);
    this.W = new Float64Array(c);
    this.P = new Float32Array(c);
    this.first = new Int32Array(c);
    this.count = new Int32Array(c);
    this.action = new Int32Array(c);
    this.parent = new Int32Array(c);
    this.mover = new Int8Array(c);
    this.toMove = new Int8Array(c);
    this.proof = new Uint8Array(c);
    this.flags = new Uint8Array(c);
  }

  clear(): void {
    this.size = 0;
  }

  /** Reserve n consecutive fresh nodes and return the index of the first; grows by doubling. */
  alloc(n: number, parent: number, mover: number): number {
    const start = this.size;
    const end = start + n;
    if (end > this.capacity) {
      let c = this.capacity * 2;
      while (c < end) c *= 2;
      this.grow(c);
    }
    for (let i = start; i < end; i++) {
      this.N[i] = 0;
      this.W[i] = 0;
      this.P[i] = 0;
      this.first[i] = -1;
      this.count[i] = 0;
      this.action[i] = -1;
      this.parent[i] = parent;
      this.mover[i] = mover;
      this.toMove[i] = NO_PLAYER;
      this.proof[i] = UNPROVEN;
      this.flags[i] = 0;
    }
    this.size = end;
    return start;
  }

  private grow(c: number): void {
    const n = this.size;
    this.N = resized(this.N, c, n);
    this.W = resized(this.W, c, n);
    this.P = resized(this.P, c, n);
    this.first = resized(this.first, c, n);
    this.count = resized(this.count, c, n);
    this.action = resized(this.action, c, n);
    this.parent = resized(this.parent, c, n);
    this.mover = resized(this.mover, c, n);
    this.toMove = resized(this.toMove, c, n);
    this.proof = resized(this.proof, c, n);
    this.flags = resized(this.flags, c, n);
    this.capacity = c;
  }

  /** Child of `node` reached by `action`, or -1. */
  childByAction(node: number, action: number): number {
    const f = this.first[node]!;
    const end = f + this.count[node]!;
    for (let c = f; c < end; c++) if (this.action[c] === action) return c;
    return -1;
  }

  /**
   * Keep only the subtree under `root`, moved to the front of the pool (breadth first, children
   * still contiguous). Returns the new index of the root (always 0). Costs O(subtree size).
   */
  compact(root: number): number {
    const src = new NodePool(Math.max(16, this.size));
    // Swap the arrays into `src`, then rebuild this pool from it.
    swapArrays(this, src);
    src.size = this.size;
    this.size = 0;
    const order = [root];
    const newIndex = new Int32Array(src.size).fill(-1);
    this.alloc(1, -1, src.mover[root]!);
    copyNode(src, root, this, 0);
    this.parent[0] = -1;
    newIndex[root] = 0;
    for (let qi = 0; qi < order.length; qi++) {
      const o = order[qi]!;
      const n = newIndex[o]!;
      const cnt = src.count[o]!;
      if (src.first[o]! < 0 || cnt === 0) {
        this.first[n] = src.first[o]! < 0 ? -1 : this.size;
        continue;
      }
      const f = this.alloc(cnt, n, 0);
      this.first[n] = f;
      for (let i = 0; i < cnt; i++) {
        const oc = src.first[o]! + i;
        copyNode(src, oc, this, f + i);
        this.parent[f + i] = n;
        newIndex[oc] = f + i;
        order.push(oc);
      }
    }
    return 0;
  }
}

function copyNode(a: NodePool, i: number, b: NodePool, j: number): void {
  b.N[j] = a.N[i]!;
  b.W[j] = a.W[i]!;
  b.P[j] = a.P[i]!;
  b.count[j] = a.count[i]!;
  b.action[j] = a.action[i]!;
  b.mover[j] = a.mover[i]!;
  b.toMove[j] = a.toMove[i]!;
  b.proof[j] = a.proof[i]!;
  b.flags[j] = a.flags[i]! & ~FLAG_PENDING;
  b.first[j] = -1;
}

function swapArrays(a: NodePool, b: NodePool): void {
  const keys = ['N', 'W', 'P', 'first', 'count', 'action', 'parent', 'mover', 'toMove', 'proof', 'flags'] as const;
  for (const k of keys) {
    const t = a[k];
    (a as unknown as Record<string, unknown>)[k] = b[k];
    (b as unknown as Record<string, unknown>)[k] = t;
  }
  const c = a.capacity;
  a.capacity = b.capacity;
  b.capacity = c;
}
