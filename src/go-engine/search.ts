/**
 * Monte Carlo tree search for Go with RAVE and prior knowledge (MoGo, Fuego, Pachi; no code from
 * them). Each simulation walks the tree from the root on one scratch board, choosing at each node the
 * child with the highest blend of its own win rate and its AMAF win rate,
 *   v = (1 - beta) q + beta q_amaf,   beta = n_amaf / (n_amaf + n + n n_amaf / equivalence),
 * (q and n include the prior's virtual simulations), expands a leaf once it has `expandAfter` real
 * visits (children: every legal point that does not fill one of the mover's true eyes and is not a slow
 * opening move on a big board (priors.ts), and pass),
 * plays a heavy playout (playout.ts) and backs up the win or loss along the path and, as AMAF, to every
 * child whose point the same player played first later in the simulation.
 *
 * Positional superko is enforced in the tree: a child that repeats a position of the game or of the
 * path is marked illegal when first reached. Two passes in the tree make a leaf that is played out like any
 * other: the playout captures dead stones, so a pass is worth what the count after settling is worth.
 * Root statistics also collect each point's final owner and the final score over all playouts, which
 * give ownership maps, dead stones and the expected score. The tree below the move played is kept for
 * the next search (setPosition finds it).
 */
import { BLACK, Board, NO_POINT, WHITE } from '../env/games/go/board.ts';
import { positionKey, type GoState } from '../env/games/go/rules.ts';
import { Rng } from '../util/rng.ts';
import { MoveRecord, PlayoutPolicy } from './playout.ts';
import { DEFAULT_PRIORS, assignPriors, slowOpeningMove, type PriorWeights } from './priors.ts';
import { FLAG_ILLEGAL, NO_NODE, NodePool } from './tree.ts';

export interface SearchConfig {
  /** RAVE equivalence parameter: simulations at which own and AMAF statistics weigh about equally. */
  raveEquivalence: number;
  /** Real visits a leaf needs before it is expanded. */
  expandAfter: number;
  /** UCB exploration coefficient added to the blended value (0: none, as Fuego with RAVE). */
  explore: number;
  priors: PriorWeights;
  /** Stop expanding once the tree holds this many nodes (simulations go on). */
  maxNodes: number;
}

export function defaultSearchConfig(size: number): SearchConfig {
  return {
    raveEquivalence: size <= 9 ? 1000 : 2500,
    expandAfter: size <= 9 ? 2 : size <= 13 ? 4 : 8,
    explore: 0,
    priors: DEFAULT_PRIORS,
    maxNodes: 6_000_000,
  };
}

export interface SearchLimits {
  playouts?: number;
  timeMs?: number;
  /** Polled between slices of simulations; true stops the search. */
  shouldStop?: () => boolean;
  /** Called about every progressIntervalMs with the root as it stands. */
  onProgress?: (s: SearchSummary) => void;
  progressIntervalMs?: number;
}

export interface MoveStats {
  /** Action (r * N + c; N * N for pass). */
  action: number;
  visits: number;
  /** Win rate for the player to move at the root, in [0, 1]. */
  winrate: number;
  /** Net policy prior (0 without a net). */
  prior: number;
  /** Mean final score after this move, in points for the player to move at the root. */
  scoreLead: number;
  amafVisits: number;
  amafWinrate: number;
  /** Principal variation from this move (most visited child at each step), actions. */
  pv: number[];
}

export interface SearchSummary {
  /** Root children with visits, most visited first. */
  moves: MoveStats[];
  /** Simulations run by this search (not counting reused ones). */
  simulations: number;
  /** Visits of the root, reused ones included. */
  rootVisits: number;
  elapsedMs: number;
  /** Per action (r * N + c): mean final owner over the playouts of this search, +1 Black .. -1 White. */
  ownership: Float32Array;
  /** Mean final score (Black - White - komi) over the playouts of this search. */
  scoreMean: number;
  /** Playouts that ownership and scoreMean average over. */
  ownershipSamples: number;
}

export class GoSearch {
  readonly n: number;
  readonly config: SearchConfig;
  private readonly rng: Rng;
  private pool = new NodePool();
  private root = NO_NODE;
  private readonly policy: PlayoutPolicy;
  private readonly board: Board;
  private rootBoard: Board;
  private rootColour = BLACK;
  private rootLast = NO_POINT;
  private rootPasses = 0;
  private komi = 7.5;
  private historyKeys: ReadonlySet<number> = new Set();
  /** Setup and moves of the root position, to find it again for tree reuse. */
  private rootSetup = '';
  private rootMoves: number[] = [];
  private readonly rec: MoveRecord;
  private readonly path: Int32Array;
  private readonly pathKeys: Float64Array;
  private readonly amafGen: Int32Array;
  private readonly amafColour: Uint8Array;
  private gen = 0;
  private readonly ownSum: Float64Array;
  private scoreSum = 0;
  private samples = 0;
  /** Net policy for the root's children (optional), per action. */
  private rootPolicy: Float32Array | undefined;

  constructor(size: number, seed: number, config: Partial<SearchConfig> = {}) {
    this.n = size;
    this.config = { ...defaultSearchConfig(size), ...config };
    this.rng = new Rng(seed);
    this.policy = new PlayoutPolicy(size);
    this.board = new Board(size);
    this.rootBoard = new Board(size);
    const cap = size * size * 4 + 64;
    this.rec = new MoveRecord(cap);
    this.path = new Int32Array(cap);
    this.pathKeys = new Float64Array(cap);
    const cells = (size + 2) * (size + 2);
    this.amafGen = new Int32Array(cells);
    this.amafColour = new Uint8Array(cells);
    this.ownSum = new Float64Array(cells);
  }

  /**
   * Search from `state` next (reusing the subtree of the last search where state continues its
   * position). `rootPolicy`, optional, is a net's prior per action for the root's children.
   */
  setPosition(state: GoState, rootPolicy?: Float32Array): void {
    if (state.game.n !== this.n) throw new Error(`go-engine: search made for ${this.n}x${this.n}, position is ${state.game.n}x${state.game.n}`);
    const setup = JSON.stringify(state.setupStones()) + state.komi;
    const moves = state.history();
    let node = NO_NODE;
    if (this.root !== NO_NODE && setup === this.rootSetup && moves.length >= this.rootMoves.length && this.rootMoves.every((m, i) => moves[i] === m)) {
      node = this.root;
      for (let i = this.rootMoves.length; i < moves.length && node !== NO_NODE; i++) {
        const a = moves[i]!;
        node = this.pool.childFor(node, a === this.n * this.n ? NO_POINT : this.rootBoard.fromAction(a));
      }
    }
    if (node !== NO_NODE) {
      this.pool = this.pool.extract(node);
      this.root = 0;
    } else {
      this.pool = new NodePool();
      this.root = this.pool.newRoot();
    }
    this.rootSetup = setup;
    this.rootMoves = moves;
    this.rootBoard = state.board.clone();
    this.rootColour = state.nextColor() === 0 ? BLACK : WHITE;
    const last = moves.length > 0 ? moves[moves.length - 1]! : -1;
    this.rootLast = last < 0 || last === this.n * this.n ? NO_POINT : this.rootBoard.fromAction(last);
    this.rootPasses = state.consecutivePasses();
    this.komi = state.komi;
    this.historyKeys = state.positionKeys();
    this.rootPolicy = rootPolicy;
    this.ownSum.fill(0);
    this.scoreSum = 0;
    this.samples = 0;
  }

  /** Run simulations until a limit is met (default 10,000 playouts). */
  run(limits: SearchLimits = {}): SearchSummary {
    if (this.root === NO_NODE) throw new Error('go-engine: setPosition before run');
    const start = performance.now();
    const maxSims = limits.playouts ?? (limits.timeMs === undefined ? 10_000 : Infinity);
    const deadline = limits.timeMs === undefined ? Infinity : start + limits.timeMs;
    const interval = limits.progressIntervalMs ?? 500;
    let nextReport = start + interval;
    let sims = 0;
    while (sims < maxSims) {
      const slice = Math.min(64, maxSims - sims);
      for (let i = 0; i < slice; i++) this.simulate();
      sims += slice;
      const now = performance.now();
      if (now >= deadline || limits.shouldStop?.()) break;
      if (this.decided(maxSims - sims, deadline === Infinity ? Infinity : ((deadline - now) * sims) / Math.max(1, now - start))) break;
      if (limits.onProgress && now >= nextReport) {
        nextReport = now + interval;
        limits.onProgress(this.summary(sims, now - start));
      }
    }
    const summary = this.summary(sims, performance.now() - start);
    limits.onProgress?.(summary);
    return summary;
  }

  /** True when the most visited root child cannot be overtaken in the simulations left. */
  private decided(leftBySims: number, leftByTime: number): boolean {
    const left = Math.min(leftBySims, leftByTime);
    if (!Number.isFinite(left)) return false;
    const pool = this.pool;
    const f = pool.firstChild[this.root]!;
    if (f === NO_NODE) return false;
    let best = 0;
    let second = 0;
    for (let c = f; c < f + pool.childCount[this.root]!; c++) {
      const v = pool.visits[c]!;
      if (v > best) {
        second = best;
        best = v;
      } else if (v > second) second = v;
    }
    return best - second > left;
  }

  private expand(node: number, b: Board, col: number, last: number, policy?: Float32Array): void {
    const pool = this.pool;
    let count = 1; // pass
    const nE = b.emptyCount;
    const moves: number[] = [];
    for (let i = 0; i < nE; i++) {
      const p = b.empties[i]!;
      if (p === b.ko || b.isEye(p, col) || b.isSuicide(p, col) || slowOpeningMove(b, p, col, last)) continue;
      moves.push(p);
    }
    moves.sort((x, y) => x - y);
    count += moves.length;
    const first = pool.alloc(count);
    for (let i = 0; i < moves.length; i++) pool.move[first + i] = moves[i]!;
    pool.move[first + moves.length] = NO_POINT;
    pool.firstChild[node] = first;
    pool.childCount[node] = count;
    assignPriors(b, col, last, pool, first, count, this.config.priors, this.policy, policy);
  }

  private select(node: number): number {
    const pool = this.pool;
    const f = pool.firstChild[node]!;
    const end = f + pool.childCount[node]!;
    const invEq = 1 / this.config.raveEquivalence;
    const explore = this.config.explore;
    const logN = explore > 0 ? Math.log(pool.visits[node]! + 1) : 0;
    let best = f;
    let bestV = -Infinity;
    for (let c = f; c < end; c++) {
      if (pool.flags[c]! & FLAG_ILLEGAL) continue;
      const n = pool.visits[c]! + pool.priorVisits[c]!;
      let v = (pool.wins[c]! + pool.priorWins[c]!) / n;
      const an = pool.amafVisits[c]!;
      if (an > 0) {
        const beta = an / (an + n + n * an * invEq);
        v = (1 - beta) * v + (beta * pool.amafWins[c]!) / an;
      }
      if (explore > 0) v += explore * Math.sqrt(logN / n);
      if (v > bestV) {
        bestV = v;
        best = c;
      }
    }
    return best;
  }

  private simulate(): void {
    const pool = this.pool;
    const b = this.board;
    const rec = this.rec;
    const path = this.path;
    for (let attempt = 0; attempt < 8; attempt++) {
      b.copyFrom(this.rootBoard);
      rec.length = 0;
      let node = this.root;
      let col = this.rootColour;
      let last = this.rootLast;
      let passes = this.rootPasses;
      let depth = 0;
      path[0] = node;
      let repeated = false;
      for (;;) {
        if (pool.firstChild[node] === NO_NODE) {
          if (node !== this.root && (pool.visits[node]! < this.config.expandAfter || pool.size > this.config.maxNodes)) break;
          this.expand(node, b, col, last, node === this.root ? this.rootPolicy : undefined);
        }
        const child = this.select(node);
        const p = pool.move[child]!;
        b.play(p, col);
        if (p !== NO_POINT) {
          passes = 0;
          const k = positionKey(b);
          let seen = this.historyKeys.has(k);
          for (let d = 1; d <= depth && !seen; d++) if (this.pathKeys[d] === k) seen = true;
          if (seen) {
            pool.flags[child]! |= FLAG_ILLEGAL;
            repeated = true;
            break;
          }
          this.pathKeys[depth + 1] = k;
        } else {
          passes++;
          this.pathKeys[depth + 1] = -1;
        }
        rec.push(p, col);
        path[++depth] = child;
        col = 3 - col;
        last = p;
        node = child;
        // Two passes: a leaf that the playout settles (captures dead stones, as a referee's count would).
        if (passes >= 2) break;
      }
      if (repeated) continue;
      let score: number;
      {
        score = this.policy.run(b, col, last, this.rng, this.komi, this.n * this.n * 3, rec);
        const own = this.policy.owner;
        const w = b.w;
        for (let r = 1; r <= this.n; r++) {
          for (let c = 1; c <= this.n; c++) {
            const o = own[r * w + c]!;
            if (o === BLACK) this.ownSum[r * w + c]! += 1;
            else if (o === WHITE) this.ownSum[r * w + c]! -= 1;
          }
        }
        this.scoreSum += score;
        this.samples++;
      }
      this.backup(score, depth);
      return;
    }
  }

  private backup(score: number, depth: number): void {
    const pool = this.pool;
    const rec = this.rec;
    const path = this.path;
    const blackResult = score > 0 ? 1 : score < 0 ? 0 : 0.5;
    pool.visits[path[0]!]! += 1;
    pool.scoreSum[path[0]!]! += score;
    for (let d = 1; d <= depth; d++) {
      const node = path[d]!;
      pool.visits[node]! += 1;
      pool.scoreSum[node]! += score;
      pool.wins[node]! += rec.colours[d - 1] === BLACK ? blackResult : 1 - blackResult;
    }
    // AMAF: walking back, amafColour[p] holds the colour that played p first from index d on.
    const gen = ++this.gen;
    const ag = this.amafGen;
    const ac = this.amafColour;
    for (let i = rec.length - 1; i >= depth; i--) {
      const p = rec.points[i]!;
      if (p >= 0) {
        ag[p] = gen;
        ac[p] = rec.colours[i]!;
      }
    }
    for (let d = depth - 1; d >= 0; d--) {
      const p = rec.points[d]!;
      if (p >= 0) {
        ag[p] = gen;
        ac[p] = rec.colours[d]!;
      }
      const node = path[d]!;
      const colour = rec.colours[d]!;
      const result = colour === BLACK ? blackResult : 1 - blackResult;
      const f = pool.firstChild[node]!;
      const end = f + pool.childCount[node]!;
      for (let c = f; c < end; c++) {
        const m = pool.move[c]!;
        if (m >= 0 && ag[m] === gen && ac[m] === colour) {
          pool.amafVisits[c]! += 1;
          pool.amafWins[c]! += result;
        }
      }
    }
  }

  private actionOf(p: number): number {
    return p === NO_POINT ? this.n * this.n : this.rootBoard.toAction(p);
  }

  private pvFrom(node: number): number[] {
    const pool = this.pool;
    const out: number[] = [];
    let x = node;
    while (x !== NO_NODE && out.length < 20) {
      out.push(this.actionOf(pool.move[x]!));
      const f = pool.firstChild[x]!;
      if (f === NO_NODE) break;
      let best = NO_NODE;
      let bv = 0;
      for (let c = f; c < f + pool.childCount[x]!; c++) {
        if (pool.visits[c]! > bv) {
          bv = pool.visits[c]!;
          best = c;
        }
      }
      x = best;
    }
    return out;
  }

  summary(simulations: number, elapsedMs: number): SearchSummary {
    const pool = this.pool;
    const moves: MoveStats[] = [];
    const f = pool.firstChild[this.root]!;
    if (f !== NO_NODE) {
      for (let c = f; c < f + pool.childCount[this.root]!; c++) {
        const v = pool.visits[c]!;
        if (v <= 0 || pool.flags[c]! & FLAG_ILLEGAL) continue;
        const an = pool.amafVisits[c]!;
        const sign = this.rootColour === BLACK ? 1 : -1;
        moves.push({
          action: this.actionOf(pool.move[c]!), visits: v, winrate: pool.wins[c]! / v, prior: pool.policy[c]!, scoreLead: (sign * pool.scoreSum[c]!) / v,
          amafVisits: an, amafWinrate: an > 0 ? pool.amafWins[c]! / an : 0, pv: [],
        });
      }
      moves.sort((x, y) => y.visits - x.visits || y.winrate - x.winrate);
      for (const m of moves.slice(0, 10)) {
        const node = pool.childFor(this.root, m.action === this.n * this.n ? NO_POINT : this.rootBoard.fromAction(m.action));
        m.pv = this.pvFrom(node);
      }
    }
    const n = this.n;
    const ownership = new Float32Array(n * n);
    const k = Math.max(1, this.samples);
    for (let a = 0; a < n * n; a++) ownership[a] = this.ownSum[this.rootBoard.fromAction(a)]! / k;
    return {
      moves, simulations, rootVisits: pool.visits[this.root]!, elapsedMs, ownership,
      scoreMean: this.samples > 0 ? this.scoreSum / this.samples : 0, ownershipSamples: this.samples,
    };
  }
}
