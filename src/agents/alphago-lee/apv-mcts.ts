/**
 * APV-MCTS, AlphaGo Lee's search (Silver et al. 2016, "Search algorithm"), single-threaded with
 * batched net calls. Its own tree (rather than src/mcts) because it keeps two value statistics per
 * edge and expands nodes only after a visit threshold:
 *
 *   selection   a = argmax Q(s,a) + u(s,a),  u = c_puct P(s,a) sqrt(sum_b N(s,b)) / (1 + N(s,a))
 *   Q(s,a)      (1 - lambda) W_v/N_v + lambda W_r/N_r   (value-net and rollout statistics)
 *   leaf        V(s_L) = (1 - lambda) v_theta(s_L) + lambda z_L: z_L from a rollout of the fast rollout
 *               policy, run at once in plain typed-array code; v_theta queued and evaluated in batches
 *               of `batchSize` leaves (each node's value is computed once and cached)
 *   virtual     while a simulation is pending, each edge on its path counts `virtualLoss` extra visits
 *   loss        that all lost (N += n_vl, W -= n_vl on both statistics), steering the batch apart
 *   expansion   a leaf gets children (priors from the SL policy, softmax temperature beta = 0.67, over
 *               the sensible moves) once its visit count reaches `expandThreshold` (paper: 40)
 *   move        the most visited root child.
 * With lambda = 0 no rollouts run; with lambda = 1 the value net is never called (equal time per
 * move then buys more simulations, as in the paper's comparison).
 */
import { UserError } from '../../util/errors.ts';
import { Rng } from '../../util/rng.ts';
import { Board, NO_POINT } from '../../env/games/go/board.ts';
import type { GoState } from '../../env/games/go/rules.ts';
import { leeFeatures, LEE_PLANES } from '../../env/games/go/features.ts';
import { LEE_VALUE_PLANES } from '../../nets/lee-nets.ts';
import type { FastNet } from './nets.ts';
import type { RolloutPolicy } from './rollout.ts';
import { SENSIBLE_PLANE } from './play.ts';
import { valuePlanes } from './value.ts';

export interface ApvOptions {
  /** Mixing weight of the rollout outcome (paper 0.5). */
  lambda?: number;
  cPuct?: number;
  virtualLoss?: number;
  /** Visits a leaf needs before it is expanded (paper 40 on 19x19 with thousands of simulations). */
  expandThreshold?: number;
  /** Leaves per batched net call. */
  batchSize?: number;
  /** Softmax temperature of the SL priors (paper 0.67). */
  priorTemperature?: number;
  seed?: number;
}

export interface ApvNets {
  policy: FastNet;
  value: FastNet | null;
  rollout: RolloutPolicy | null;
}

/** Leaf value mixing: V = (1 - lambda) v + lambda z. */
export function mixLeafValue(v: number, z: number, lambda: number): number {
  return (1 - lambda) * v + lambda * z;
}

export class ApvNode {
  children: ApvNode[] | null = null;
  /** Visits, and pending (virtual-loss) simulations through this edge. */
  n = 0;
  pending = 0;
  nv = 0;
  wv = 0;
  nr = 0;
  wr = 0;
  state: GoState | null = null;
  feats: Float32Array | null = null;
  /** v_theta for the player to move at this node (null until evaluated). */
  value: number | null = null;
  queuedValue = false;
  queuedExpand = false;

  constructor(readonly parent: ApvNode | null, readonly action: number, readonly prior: number) {}

  /** Q for the player who chose this edge, with `vl` virtual losses per pending simulation. */
  q(lambda: number, vl: number): number {
    const extra = this.pending * vl;
    const nv = this.nv + extra;
    const nr = this.nr + extra;
    const qv = nv > 0 ? (this.wv - extra) / nv : 0;
    const qr = nr > 0 ? (this.wr - extra) / nr : 0;
    if (lambda <= 0) return qv;
    if (lambda >= 1) return qr;
    return (1 - lambda) * qv + lambda * qr;
  }
}

export interface ApvResult {
  action: number;
  simulations: number;
  rootChildren: Array<{ action: number; visits: number; q: number; prior: number }>;
  /** Q of the chosen move for the player to move. */
  q: number;
}

export class ApvMcts {
  readonly lambda: number;
  readonly cPuct: number;
  readonly vl: number;
  readonly expandThreshold: number;
  readonly batchSize: number;
  readonly beta: number;
  /** The last search's root (for inspection). */
  lastRoot: ApvNode | null = null;
  private readonly rng: Rng;
  private readonly scratch = new Board(9);

  constructor(private readonly nets: ApvNets, o: ApvOptions = {}) {
    this.lambda = o.lambda ?? 0.5;
    this.cPuct = o.cPuct ?? 5;
    this.vl = o.virtualLoss ?? 3;
    this.expandThreshold = o.expandThreshold ?? 1;
    this.batchSize = o.batchSize ?? 8;
    this.beta = o.priorTemperature ?? 0.67;
    this.rng = new Rng(o.seed ?? 0);
    if (!(this.lambda >= 0 && this.lambda <= 1)) throw new UserError(`apv-mcts: lambda must be in 0..1, got ${this.lambda}`);
    if (this.lambda < 1 && !nets.value) throw new UserError('apv-mcts: lambda < 1 needs a value net');
    if (this.lambda > 0 && !nets.rollout) throw new UserError('apv-mcts: lambda > 0 needs a rollout policy');
    if (!Number.isInteger(this.expandThreshold) || this.expandThreshold < 1) throw new UserError(`apv-mcts: expandThreshold must be an integer >= 1, got ${this.expandThreshold}`);
  }

  /** PUCT child choice with virtual loss. */
  select(node: ApvNode): ApvNode {
    const kids = node.children!;
    let total = 0;
    for (const c of kids) total += c.n + c.pending * this.vl;
    const sq = Math.sqrt(Math.max(total, 1));
    let best = kids[0]!;
    let bestScore = -Infinity;
    for (const c of kids) {
      const s = c.q(this.lambda, this.vl) + (this.cPuct * c.prior * sq) / (1 + c.n + c.pending * this.vl);
      if (s > bestScore) {
        bestScore = s;
        best = c;
      }
    }
    return best;
  }

  private ensureState(node: ApvNode): GoState {
    if (!node.state) {
      const s = node.parent!.state!.clone();
      s.applyAction(node.action);
      node.state = s;
    }
    return node.state;
  }

  private features(node: ApvNode): Float32Array {
    node.feats ??= leeFeatures(node.state!, node.state!.nextColor());
    return node.feats;
  }

  /** Create children from policy probabilities over the sensible moves (pass when there are none). */
  expandWith(node: ApvNode, probs: Float32Array, off: number): void {
    const s = node.state!;
    const nn = s.game.n * s.game.n;
    const f = this.features(node);
    const kids: ApvNode[] = [];
    let total = 0;
    const w: number[] = [];
    for (let a = 0; a < nn; a++) {
      if (f[a * LEE_PLANES + SENSIBLE_PLANE] !== 1) continue;
      const p = Math.pow(Math.max(probs[off + a]!, 1e-10), 1 / this.beta);
      w.push(p);
      total += p;
      kids.push(new ApvNode(node, a, 0));
    }
    if (kids.length === 0) {
      node.children = [new ApvNode(node, s.game.pass, 1)];
      return;
    }
    node.children = kids.map((k, i) => new ApvNode(node, k.action, w[i]! / total));
  }

  /** Rollout from the node's state: +1 if the player to move there wins, -1 if not, 0 a draw. */
  rollout(state: GoState): number {
    const b = this.scratch;
    b.copyFrom(state.board);
    const h = state.history();
    const lastA = h.length ? h[h.length - 1]! : state.game.pass;
    const last = lastA === state.game.pass ? NO_POINT : b.fromAction(lastA);
    const col = state.nextColor() + 1;
    const { score } = this.nets.rollout!.playout(b, col, last, state.komi, this.rng, state.game.n * state.game.n * 2);
    const blackWins = score > 0 ? 1 : score < 0 ? -1 : 0;
    return col === 1 ? blackWins : -blackWins;
  }

  private terminalValue(s: GoState): number {
    const r = s.returns();
    return r[s.nextColor()];
  }

  private async evaluatePending(expand: ApvNode[], values: ApvNode[]): Promise<void> {
    const nn = 81;
    if (expand.length) {
      const per = nn * LEE_PLANES;
      const x = new Float32Array(expand.length * per);
      expand.forEach((node, i) => x.set(this.features(node), i * per));
      const p = await this.nets.policy.run(x, expand.length);
      expand.forEach((node, i) => {
        node.queuedExpand = false;
        if (!node.children) this.expandWith(node, p, i * nn);
      });
    }
    if (values.length) {
      const per = nn * LEE_VALUE_PLANES;
      const x = new Float32Array(values.length * per);
      values.forEach((node, i) => valuePlanes(this.features(node), node.state!.nextColor() === 0, x.subarray(i * per, (i + 1) * per)));
      const v = await this.nets.value!.run(x, values.length);
      values.forEach((node, i) => {
        node.value = v[i]!;
        node.queuedValue = false;
      });
    }
  }

  async search(state: GoState, budget: { visits?: number; timeMs?: number }): Promise<ApvResult> {
    if (state.game.n !== 9) throw new UserError(`alphago-lee: the nets are for 9x9 Go; this board is ${state.game.n}x${state.game.n}`);
    if (state.isTerminal()) throw new UserError('alphago-lee: the game is over');
    const root = new ApvNode(null, -1, 1);
    root.state = state.clone();
    this.lastRoot = root;
    await this.evaluatePending([root], []);
    const deadline = budget.timeMs !== undefined ? performance.now() + budget.timeMs : Infinity;
    const maxSims = budget.visits ?? (budget.timeMs === undefined ? 200 : Infinity);
    let sims = 0;
    while (sims < maxSims && performance.now() < deadline) {
      const batch: Array<{ leaf: ApvNode; path: ApvNode[]; z: number; exact: number | null }> = [];
      const expand: ApvNode[] = [];
      const values: ApvNode[] = [];
      const want = Math.min(this.batchSize, maxSims - sims);
      for (let k = 0; k < want; k++) {
        let node = root;
        const path: ApvNode[] = [root];
        while (node.children) {
          node = this.select(node);
          node.pending++;
          path.push(node);
        }
        const s = this.ensureState(node);
        let exact: number | null = null;
        let z = 0;
        if (s.isTerminal()) exact = this.terminalValue(s);
        else {
          if (this.lambda > 0) z = this.rollout(s);
          if (this.lambda < 1 && node.value === null && !node.queuedValue) {
            node.queuedValue = true;
            values.push(node);
          }
          if (!node.children && !node.queuedExpand && node.n + 1 >= this.expandThreshold) {
            node.queuedExpand = true;
            expand.push(node);
          }
        }
        batch.push({ leaf: node, path, z, exact });
      }
      await this.evaluatePending(expand, values);
      for (const b of batch) {
        // Values for the player to move at the leaf; flipped into each edge's chooser's view.
        let v = b.exact ?? (this.lambda < 1 ? b.leaf.value! : 0);
        let z = b.exact ?? b.z;
        for (let i = b.path.length - 1; i >= 0; i--) {
          const node = b.path[i]!;
          v = -v;
          z = -z;
          if (i > 0) node.pending--;
          node.n++;
          if (this.lambda < 1) {
            node.nv++;
            node.wv += v;
          }
          if (this.lambda > 0) {
            node.nr++;
            node.wr += z;
          }
        }
      }
      sims += batch.length;
    }
    const kids = root.children!;
    let best = kids[0]!;
    for (const c of kids) if (c.n > best.n || (c.n === best.n && c.prior > best.prior)) best = c;
    return {
      action: best.action, simulations: sims, q: best.q(this.lambda, 0),
      rootChildren: kids.map((c) => ({ action: c.action, visits: c.n, q: c.q(this.lambda, 0), prior: c.prior })).sort((a, b) => b.visits - a.visits),
    };
  }
}
