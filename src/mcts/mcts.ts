/**
 * Monte Carlo tree search for any Game: UCT with random rollouts when no evaluator is given, PUCT
 * (AlphaGo Zero / AlphaZero) with an Evaluator's priors and values otherwise.
 *
 * - The tree is a NodePool (typed arrays). Each simulation walks one scratch copy of the root
 *   position down the tree and takes the moves back with State.undo() ('undo' replay), or clones the
 *   root per simulation ('clone' replay).
 * - Values are kept from the mover's point of view and converted by comparing players, never by
 *   assuming alternation (passes). Terminal nodes hold their exact value; with `solver` proven wins,
 *   losses and draws propagate up (MCTS-solver) and the search stops once the root is proven.
 * - Synchronous evaluators (no evaluator, UniformEvaluator, RolloutEvaluator) with batchSize 1 run
 *   without a promise per simulation. Otherwise leaves are collected batchSize at a time under
 *   virtual loss and sent in one evaluate() call; a leaf picked twice in a batch is a collision and
 *   its path is undone.
 * - An evaluator's value is floored by State.exitValue where the game has one (Go: the player to move
 *   after a pass can pass back and end the game on the present count).
 * - Root Dirichlet noise, tree reuse (advance), resignation, visit and time limits.
 */
import type { Evaluator, Game, State } from '../env/games/game.ts';
import { UserError } from '../util/errors.ts';
import { Rng } from '../util/rng.ts';
import { randomRollout } from './evaluators.ts';
import { resolveMctsOptions } from './options.ts';
import { buildResult } from './result.ts';
import { backup, propagateProof, selectChild, virtualLoss, type SelectParams } from './select.ts';
import { DRAW, FLAG_EXPANDED, FLAG_PENDING, FLAG_TERMINAL, LOSS, NodePool, UNPROVEN, WIN } from './tree.ts';
import { isSyncEvaluator, type MctsOptions, type MctsStats, type SearchLimits, type SearchResult, type SyncEvaluator } from './types.ts';

export { selectAction, temperatureFor } from './result.ts';

const DEFAULT_VISITS = 800;

export class MCTS {
  readonly game: Game;
  readonly options: Readonly<MctsOptions>;
  private readonly rng: Rng;
  private readonly pool = new NodePool();
  private readonly sp: SelectParams;
  private readonly syncEval: SyncEvaluator | null;
  private readonly evaluator: Evaluator | null;
  private readonly policyBuf: Float32Array;
  private root = -1;
  private rootState: State | null = null;
  private rootHash: bigint | string | null = null;
  private rootNoised = false;
  private scratch: State | null = null;
  private busy = false;
  private readonly st = { searches: 0, simulations: 0, evaluatorCalls: 0, positionsEvaluated: 0, collisions: 0, expansionsSkipped: 0 };

  constructor(game: Game, options: Partial<MctsOptions> = {}) {
    this.game = game;
    this.options = Object.freeze(resolveMctsOptions(options));
    const o = this.options;
    this.rng = new Rng(o.seed);
    this.evaluator = o.evaluator ?? null;
    this.syncEval = isSyncEvaluator(o.evaluator) && o.batchSize === 1 ? o.evaluator : null;
    this.policyBuf = new Float32Array(game.numActions);
    const fpu = o.fpu;
    this.sp = {
      puct: o.evaluator !== undefined,
      cUct: o.cUct,
      cPuct: o.cPuct,
      cPuctGrowth: o.cPuctGrowth,
      cPuctBase: o.cPuctBase,
      fpuValue: typeof fpu === 'number' ? fpu : 0,
      fpuIsReduction: typeof fpu !== 'number',
      fpuReduction: typeof fpu === 'number' ? 0 : fpu.reduction,
    };
  }

  /** True when search runs without awaiting per simulation (no evaluator, or a sync one with batchSize 1). */
  get isSync(): boolean {
    return this.evaluator === null || this.syncEval !== null;
  }

  /** Search from `state` (reusing the kept subtree when `state` is the position advance() led to). */
  async search(state: State, limits: SearchLimits = {}): Promise<SearchResult> {
    this.enter('search');
    try {
      return await this.searchInner(state, limits);
    } finally {
      this.busy = false;
    }
  }

  private async searchInner(state: State, limits: SearchLimits): Promise<SearchResult> {
    const lim = this.prepare(state, limits);
    if (!(this.pool.flags[this.root]! & FLAG_EXPANDED)) {
      if (this.isSync) this.expandRootSync();
      else {
        const s = this.rootState!.clone();
        const out = await this.evaluator!.evaluate([s]);
        this.st.evaluatorCalls++;
        this.st.positionsEvaluated++;
        this.expand(this.root, s, s.currentPlayer() as 0 | 1, checkOutput(out, 1).policy[0]!);
      }
    }
    if (limits.noise !== false) this.maybeNoise();
    if (this.isSync) {
      // Yield to the event loop now and then so that a long search does not freeze a UI.
      let sims = 0;
      for (;;) {
        const sliceEnd = Math.min(lim.deadline, performance.now() + 50);
        sims += this.runSync(lim.maxSims - sims, sliceEnd, lim, sims);
        if (sims >= lim.maxSims || this.rootProven() || performance.now() >= lim.deadline || lim.shouldStop?.()) break;
        await new Promise<void>((r) => setImmediate(r));
      }
      return this.finish(lim, sims);
    }
    const sims = await this.runBatched(lim);
    return this.finish(lim, sims);
  }

  /** search() without promises; only for sync evaluators (see isSync). */
  searchSync(state: State, limits: SearchLimits = {}): SearchResult {
    if (!this.isSync) throw new UserError('MCTS.searchSync needs no evaluator or a synchronous one with batchSize 1; use search()');
    this.enter('searchSync');
    try {
      const lim = this.prepare(state, limits);
      if (!(this.pool.flags[this.root]! & FLAG_EXPANDED)) this.expandRootSync();
      if (limits.noise !== false) this.maybeNoise();
      const sims = this.runSync(lim.maxSims, lim.deadline, lim, 0);
      return this.finish(lim, sims);
    } finally {
      this.busy = false;
    }
  }

  /** One search at a time per MCTS (the tree is not shared); run several MCTS objects for parallel games. */
  private enter(what: string): void {
    if (this.busy) throw new UserError(`MCTS.${what}: a search is already running on this MCTS; await it first (use one MCTS per concurrent game)`);
    this.busy = true;
  }

  /**
   * Move the root to the child reached by `action` (played by whoever is to move), keeping its
   * subtree when reuseTree is on. Call it for every move of the game, ours and the opponent's.
   * Throws (changing nothing) when the action is illegal in the root position.
   */
  advance(action: number): void {
    if (this.busy) throw new UserError('MCTS.advance: a search is running; await it first');
    if (this.rootState === null) return;
    this.rootState.applyAction(action);
    this.rootHash = this.rootState.hash();
    this.rootNoised = false;
    const p = this.pool;
    const child = this.root >= 0 && this.options.reuseTree ? p.childByAction(this.root, action) : -1;
    if (child >= 0 && p.flags[child]! & FLAG_EXPANDED && !(p.flags[child]! & FLAG_TERMINAL)) {
      this.root = p.compact(child);
    } else {
      p.clear();
      this.root = -1;
    }
  }

  /** Forget the tree and the root position. */
  reset(): void {
    if (this.busy) throw new UserError('MCTS.reset: a search is running; await it first');
    this.pool.clear();
    this.root = -1;
    this.rootState = null;
    this.rootHash = null;
    this.rootNoised = false;
  }

  get stats(): MctsStats {
    const s = this.st;
    return { ...s, meanBatchSize: s.evaluatorCalls ? s.positionsEvaluated / s.evaluatorCalls : 0, nodes: this.pool.size };
  }

  // ---------------------------------------------------------------------------------------------

  private prepare(state: State, limits: SearchLimits): Lim {
    if (state.game.name !== this.game.name || state.game.numActions !== this.game.numActions) {
      throw new UserError(`MCTS: this search is for ${this.game.name} (${this.game.numActions} actions), got a ${state.game.name} state`);
    }
    const p = state.currentPlayer();
    if (p !== 0 && p !== 1) throw new UserError('MCTS: cannot search a finished game (the state is terminal)');
    const { visits, timeMs } = limits;
    if (visits !== undefined && !(Number.isInteger(visits) && visits >= 1)) throw new UserError(`MCTS: visits must be an integer >= 1, got ${visits}`);
    if (timeMs !== undefined && !(timeMs > 0)) throw new UserError(`MCTS: timeMs must be > 0, got ${timeMs}`);
    const hash = state.hash();
    if (!(this.options.reuseTree && this.root >= 0 && hash === this.rootHash)) {
      this.pool.clear();
      this.root = this.pool.alloc(1, -1, 1 - p);
      this.rootNoised = false;
    }
    this.pool.toMove[this.root] = p;
    this.rootState = state.clone();
    this.rootHash = hash;
    this.scratch = this.options.replay === 'undo' ? state.clone() : null;
    this.st.searches++;
    const start = performance.now();
    return {
      start,
      maxSims: visits ?? (timeMs === undefined ? DEFAULT_VISITS : Infinity),
      deadline: timeMs === undefined ? Infinity : start + timeMs,
      onProgress: limits.onProgress,
      shouldStop: limits.shouldStop,
      interval: limits.progressIntervalMs ?? 100,
      nextProgress: start + (limits.progressIntervalMs ?? 100),
    };
  }

  private finish(lim: Lim, sims: number): SearchResult {
    this.st.simulations += sims;
    const r = buildResult(this.pool, this.root, this.game.numActions, this.rootState!, sims, performance.now() - lim.start, this.options.resignThreshold);
    lim.onProgress?.({ simulations: sims, totalVisits: r.totalVisits, elapsedMs: r.elapsedMs, bestAction: r.action, rootValue: r.rootValue, candidates: r.candidates });
    return r;
  }

  private rootProven(): boolean {
    return this.options.solver && this.pool.proof[this.root] !== UNPROVEN;
  }

  private maybeNoise(): void {
    if (this.rootNoised || this.options.dirichletEpsilon === 0 || !(this.pool.flags[this.root]! & FLAG_EXPANDED)) return;
    this.rootNoised = true;
    const p = this.pool;
    const f = p.first[this.root]!;
    const n = p.count[this.root]!;
    if (n === 0) return;
    const eps = this.options.dirichletEpsilon;
    const noise = this.rng.dirichlet(this.options.dirichletAlpha ?? 10 / n, n);
    for (let i = 0; i < n; i++) p.P[f + i] = (1 - eps) * p.P[f + i]! + eps * noise[i]!;
  }

  private progress(lim: Lim, sims: number, now: number): void {
    if (!lim.onProgress || now < lim.nextProgress) return;
    lim.nextProgress = now + lim.interval;
    const r = buildResult(this.pool, this.root, this.game.numActions, this.rootState!, sims, now - lim.start, undefined);
    lim.onProgress({ simulations: sims, totalVisits: r.totalVisits, elapsedMs: now - lim.start, bestAction: r.action, rootValue: r.rootValue, candidates: r.candidates });
  }

  /** Run up to maxSims synchronous simulations before `deadline`; returns how many ran. */
  private runSync(maxSims: number, deadline: number, lim: Lim, done: number): number {
    const timed = deadline !== Infinity || lim.onProgress !== undefined;
    let sims = 0;
    while (sims < maxSims) {
      if (this.rootProven()) break;
      this.simulateSync();
      sims++;
      if (timed && (sims & 7) === 0) {
        const now = performance.now();
        this.progress(lim, done + sims, now);
        if (now >= deadline) break;
      }
    }
    return sims;
  }

  private simulateSync(): void {
    const pool = this.pool;
    const undo = this.scratch !== null;
    const st = undo ? this.scratch! : this.rootState!.clone();
    let node = this.root;
    let depth = 0;
    let v: number;
    for (;;) {
      const pr = pool.proof[node]!;
      if (pr !== UNPROVEN) {
        v = pr - DRAW;
        break;
      }
      if (!(pool.flags[node]! & FLAG_EXPANDED)) {
        v = this.expandSync(node, st);
        break;
      }
      node = selectChild(pool, node, this.sp);
      st.applyAction(pool.action[node]!);
      depth++;
    }
    backup(pool, node, v);
    if (this.options.solver && pool.proof[node] !== UNPROVEN) propagateProof(pool, node);
    if (undo) for (let i = 0; i < depth; i++) st.undo();
  }

  /** Expand `node` (whose position is `st`) and return its value for the node's mover. */
  private expandSync(node: number, st: State): number {
    const term = this.terminalValue(node, st);
    if (term !== null) return term;
    const pool = this.pool;
    const mover = pool.mover[node]!;
    const p = st.currentPlayer() as 0 | 1;
    if (this.syncEval) {
      const v = floorByExit(st, this.syncEval.evaluateSync(st, this.policyBuf));
      this.expand(node, st, p, this.policyBuf);
      return p === mover ? v : -v;
    }
    this.expand(node, st, p, null);
    let sum = 0;
    const n = this.options.rollouts;
    for (let i = 0; i < n; i++) sum += randomRollout(st, this.rng)[mover]!;
    return sum / n;
  }

  /** Expand the root without counting a simulation, so that every simulation visits a child. */
  private expandRootSync(): void {
    const st = this.rootState!;
    const p = st.currentPlayer() as 0 | 1;
    if (this.syncEval) this.syncEval.evaluateSync(st, this.policyBuf);
    this.expand(this.root, st, p, this.syncEval ? this.policyBuf : null);
  }

  /** When `st` is over, mark `node` terminal and proven and return its exact value for the mover; else null. */
  private terminalValue(node: number, st: State): number | null {
    if (!st.isTerminal()) return null;
    const pool = this.pool;
    const r = st.returns()[pool.mover[node]!]!;
    const v = r > 0 ? 1 : r < 0 ? -1 : 0;
    pool.flags[node]! |= FLAG_EXPANDED | FLAG_TERMINAL;
    pool.proof[node] = v > 0 ? WIN : v < 0 ? LOSS : DRAW;
    return v;
  }

  /** Create the children of `node` (position `st`, `p` to move); false when the tree is full. */
  private expand(node: number, st: State, p: 0 | 1, policy: Float32Array | null): boolean {
    const legal = st.legalActions();
    const n = legal.length;
    if (n === 0) throw new Error(`${st.game.name}: the position is not terminal but has no legal actions: ${st.serialize()}`);
    const pool = this.pool;
    if (pool.size + n > this.options.maxNodes && node !== this.root) {
      this.st.expansionsSkipped++;
      return false;
    }
    const f = pool.alloc(n, node, p);
    pool.first[node] = f;
    pool.count[node] = n;
    pool.toMove[node] = p;
    pool.flags[node]! |= FLAG_EXPANDED;
    const A = pool.action;
    const P = pool.P;
    let sum = 0;
    if (policy !== null) for (let i = 0; i < n; i++) sum += Math.max(0, policy[legal[i]!]!);
    const uniform = !(sum > 0) || !Number.isFinite(sum);
    for (let i = 0; i < n; i++) {
      const a = legal[i]!;
      A[f + i] = a;
      P[f + i] = uniform ? 1 / n : Math.max(0, policy![a]!) / sum;
    }
    return true;
  }

  /** Batched search: collect up to batchSize leaves under virtual loss, evaluate them in one call. */
  private async runBatched(lim: Lim): Promise<number> {
    const pool = this.pool;
    const B = this.options.batchSize;
    const vl = this.options.virtualLoss;
    const ev = this.evaluator!;
    const undo = this.scratch !== null;
    let sims = 0;
    const leaves: number[] = [];
    const states: State[] = [];
    while (sims < lim.maxSims && !this.rootProven()) {
      leaves.length = 0;
      states.length = 0;
      let collisions = 0;
      while (leaves.length < B && sims + leaves.length < lim.maxSims && collisions < B && !this.rootProven()) {
        const st = undo ? this.scratch! : this.rootState!.clone();
        let node = this.root;
        let depth = 0;
        virtualLoss(pool, node, vl, 1);
        let exact: number | null = null;
        let collided = false;
        for (;;) {
          const pr = pool.proof[node]!;
          if (pr !== UNPROVEN) {
            exact = pr - DRAW;
            break;
          }
          const fl = pool.flags[node]!;
          if (fl & FLAG_PENDING) {
            collided = true;
            break;
          }
          if (!(fl & FLAG_EXPANDED)) {
            exact = this.terminalValue(node, st);
            break;
          }
          node = selectChild(pool, node, this.sp);
          pool.N[node]! += vl;
          pool.W[node]! -= vl;
          st.applyAction(pool.action[node]!);
          depth++;
        }
        if (collided) {
          virtualLoss(pool, node, vl, -1);
          collisions++;
          this.st.collisions++;
        } else if (exact !== null) {
          virtualLoss(pool, node, vl, -1);
          backup(pool, node, exact);
          if (this.options.solver) propagateProof(pool, node);
          sims++;
        } else {
          pool.flags[node]! |= FLAG_PENDING;
          leaves.push(node);
          states.push(undo ? st.clone() : st);
        }
        if (undo) for (let i = 0; i < depth; i++) st.undo();
      }
      if (leaves.length > 0) {
        let out: Awaited<ReturnType<Evaluator['evaluate']>>;
        try {
          out = checkOutput(await ev.evaluate(states), states.length);
        } catch (e) {
          for (const leaf of leaves) {
            pool.flags[leaf]! &= ~FLAG_PENDING;
            virtualLoss(pool, leaf, vl, -1);
          }
          throw e;
        }
        this.st.evaluatorCalls++;
        this.st.positionsEvaluated += leaves.length;
        for (let i = 0; i < leaves.length; i++) {
          const leaf = leaves[i]!;
          const s = states[i]!;
          const p = s.currentPlayer() as 0 | 1;
          pool.flags[leaf]! &= ~FLAG_PENDING;
          virtualLoss(pool, leaf, vl, -1);
          this.expand(leaf, s, p, out.policy[i]!);
          const v = floorByExit(s, Math.max(-1, Math.min(1, out.value[i]!)));
          backup(pool, leaf, p === pool.mover[leaf] ? v : -v);
          sims++;
        }
      }
      const now = performance.now();
      this.progress(lim, sims, now);
      if (now >= lim.deadline || lim.shouldStop?.()) break;
    }
    return sims;
  }
}

/**
 * An evaluator's value for the player to move, raised to what that player can secure by ending the
 * game at once (State.exitValue: Go's pass after a pass). Random-rollout values are left as they are.
 */
function floorByExit(s: State, v: number): number {
  const exit = s.exitValue?.() ?? null;
  return exit !== null && exit > v ? exit : v;
}

function checkOutput(out: { policy: Float32Array[]; value: Float32Array }, n: number): { policy: Float32Array[]; value: Float32Array } {
  if (!out || !Array.isArray(out.policy) || out.policy.length !== n || !out.value || out.value.length !== n) {
    throw new Error(`MCTS: evaluator returned ${out?.policy?.length} policies and ${out?.value?.length} values for ${n} positions`);
  }
  for (let i = 0; i < n; i++) if (Number.isNaN(out.value[i])) throw new Error(`MCTS: evaluator returned value NaN for position ${i} of ${n}`);
  return out;
}

interface Lim {
  start: number;
  maxSims: number;
  deadline: number;
  onProgress: SearchLimits['onProgress'];
  shouldStop: SearchLimits['shouldStop'];
  interval: number;
  nextProgress: number;
}
