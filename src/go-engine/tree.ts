/**
 * The search tree of the Go engine: a pool of nodes in growable typed arrays (no object per node).
 * A node is a move (board point, or NO_POINT for pass) and its statistics, all from the point of view
 * of the player who plays that move:
 *   visits, wins     real simulations through the node and their wins (1 win, 0 loss, 0.5 jigo);
 *   amafVisits, amafWins   all-moves-as-first counts (RAVE): simulations through the parent in which
 *                    this point was first played by this player anywhere later in the simulation;
 *   priorVisits, priorWins  knowledge entered at expansion as virtual simulations (priors.ts);
 *   scoreSum         the final scores (Black - White - komi) of the real simulations, for score estimates.
 * Children of a node are contiguous: firstChild .. firstChild + childCount - 1.
 */
import { NO_POINT } from '../env/games/go/board.ts';
import { resized } from '../util/typed-arrays.ts';

export const NO_NODE = -1;
/** A child found to repeat an earlier position (positional superko): never selected again. */
export const FLAG_ILLEGAL = 1;

export class NodePool {
  move = new Int32Array(0);
  firstChild = new Int32Array(0);
  childCount = new Int32Array(0);
  flags = new Uint8Array(0);
  visits = new Float32Array(0);
  wins = new Float32Array(0);
  amafVisits = new Float32Array(0);
  amafWins = new Float32Array(0);
  priorVisits = new Float32Array(0);
  priorWins = new Float32Array(0);
  /** Net policy prior of the move (0 where no net is used); for analysis output. */
  policy = new Float32Array(0);
  /** Sum of the final scores (Black - White - komi) of the real simulations through the node. */
  scoreSum = new Float32Array(0);
  size = 0;

  constructor(capacity = 1 << 16) {
    this.grow(capacity);
  }

  get capacity(): number {
    return this.move.length;
  }

  private grow(cap: number): void {
    const n = this.size;
    this.move = resized(this.move, cap, n);
    this.firstChild = resized(this.firstChild, cap, n);
    this.childCount = resized(this.childCount, cap, n);
    this.flags = resized(this.flags, cap, n);
    this.visits = resized(this.visits, cap, n);
    this.wins = resized(this.wins, cap, n);
    this.amafVisits = resized(this.amafVisits, cap, n);
    this.amafWins = resized(this.amafWins, cap, n);
    this.priorVisits = resized(this.priorVisits, cap, n);
    this.priorWins = resized(this.priorWins, cap, n);
    this.policy = resized(this.policy, cap, n);
    this.scoreSum = resized(this.scoreSum, cap, n);
  }

  clear(): void {
    this.size = 0;
  }

  /** Allocate `count` contiguous fresh nodes; returns the first index. */
  alloc(count: number): number {
    if (this.size + count > this.capacity) {
      let cap = this.capacity;
      while (this.size + count > cap) cap *= 2;
      this.grow(cap);
    }
    const first = this.size;
    this.size += count;
    for (let i = first; i < this.size; i++) {
      this.move[i] = NO_POINT;
      this.firstChild[i] = NO_NODE;
      this.childCount[i] = 0;
      this.flags[i] = 0;
      this.visits[i] = 0;
      this.wins[i] = 0;
      this.amafVisits[i] = 0;
      this.amafWins[i] = 0;
      this.priorVisits[i] = 0;
      this.priorWins[i] = 0;
      this.policy[i] = 0;
      this.scoreSum[i] = 0;
    }
    return first;
  }

  newRoot(): number {
    return this.alloc(1);
  }

  /** The child of `node` playing board point `p` (NO_POINT: pass), or NO_NODE. */
  childFor(node: number, p: number): number {
    const f = this.firstChild[node]!;
    if (f === NO_NODE) return NO_NODE;
    const end = f + this.childCount[node]!;
    for (let c = f; c < end; c++) if (this.move[c] === p) return c;
    return NO_NODE;
  }

  /**
   * Copy the subtree under `node` into a fresh pool (its root first) and return that pool: the tree
   * kept between moves stays compact instead of carrying the discarded branches.
   */
  extract(node: number): NodePool {
    const out = new NodePool(Math.max(1 << 16, this.subtreeSize(node) + 1));
    const root = out.alloc(1);
    out.copyNode(this, node, root);
    const stack: [number, number][] = [[node, root]];
    while (stack.length > 0) {
      const [src, dst] = stack.pop()!;
      const f = this.firstChild[src]!;
      if (f === NO_NODE) continue;
      const k = this.childCount[src]!;
      const nf = out.alloc(k);
      out.firstChild[dst] = nf;
      out.childCount[dst] = k;
      for (let i = 0; i < k; i++) {
        out.copyNode(this, f + i, nf + i);
        stack.push([f + i, nf + i]);
      }
    }
    return out;
  }

  private copyNode(src: NodePool, s: number, d: number): void {
    this.move[d] = src.move[s]!;
    this.flags[d] = src.flags[s]!;
    this.visits[d] = src.visits[s]!;
    this.wins[d] = src.wins[s]!;
    this.amafVisits[d] = src.amafVisits[s]!;
    this.amafWins[d] = src.amafWins[s]!;
    this.priorVisits[d] = src.priorVisits[s]!;
    this.priorWins[d] = src.priorWins[s]!;
    this.policy[d] = src.policy[s]!;
    this.scoreSum[d] = src.scoreSum[s]!;
  }

  private subtreeSize(node: number): number {
    let count = 0;
    const stack = [node];
    while (stack.length > 0) {
      const x = stack.pop()!;
      count++;
      const f = this.firstChild[x]!;
      if (f !== NO_NODE) for (let i = 0; i < this.childCount[x]!; i++) stack.push(f + i);
    }
    return count;
  }
}
