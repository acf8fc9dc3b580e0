/**
 * Options and results of the tree search (src/mcts/mcts.ts). Search sees only Game/State and an
 * Evaluator; these types are what self-play, play and the TUI build on.
 */
import type { Evaluator, State } from '../env/games/game.ts';

/**
 * An evaluator that can also answer one position synchronously. MCTS uses this fast path (no
 * promise per simulation) when batchSize is 1. Writes a prior over all numActions actions into
 * `policyOut` (illegal entries are ignored and the legal ones renormalised by the search) and
 * returns the value for the player to move, in [-1, 1].
 */
export interface SyncEvaluator extends Evaluator {
  evaluateSync(state: State, policyOut: Float32Array): number;
}

export function isSyncEvaluator(e: Evaluator | undefined): e is SyncEvaluator {
  return e !== undefined && typeof (e as Partial<SyncEvaluator>).evaluateSync === 'function';
}

/** First-play urgency: the Q given to children that have no visits yet (PUCT only). */
export type Fpu =
  /** A fixed value, e.g. 0 (AlphaZero's pseudocode), -1 (treat unvisited as lost) or +1. */
  | number
  /** The parent's Q (for the player to move there) minus `reduction` (Leela Zero style). */
  | { reduction: number };

export interface MctsOptions {
  /** Seed for every random choice (rollouts, noise, tie-breaks). Same seed, same search. Default 0. */
  seed: number;
  /**
   * Leaf evaluator: priors and values, selected by PUCT. Absent: plain UCT (UCB1) with random
   * rollouts (State.rollout when the game has it, else uniform random legal moves).
   */
  evaluator?: Evaluator;
  /** UCB1 exploration constant (UCT, no evaluator). Default sqrt(2). */
  cUct: number;
  /** PUCT constant in U = c * P * sqrt(N_parent) / (1 + N_child). Default 1.25. */
  cPuct: number;
  /** AlphaZero's growing constant c(s) = log((1 + N + cPuctBase) / cPuctBase) + cPuct. Default false. */
  cPuctGrowth: boolean;
  /** Base of the growing constant. Default 19652. */
  cPuctBase: number;
  /** First-play urgency for unvisited children under PUCT. Default 0. */
  fpu: Fpu;
  /** Root Dirichlet noise concentration. Default 10 / (number of legal moves). Noise is off when dirichletEpsilon is 0. */
  dirichletAlpha?: number;
  /** Weight of the noise in the root priors: P = (1 - eps) P + eps * Dir(alpha). Default 0 (off; self-play uses 0.25). */
  dirichletEpsilon: number;
  /** Virtual loss added along a path while its leaf waits for a batched evaluation. Default 1. */
  virtualLoss: number;
  /** Leaves collected per Evaluator call (with virtual loss). Default 1. */
  batchSize: number;
  /** Report resign when the root value (for the player to move) is below this. Default: never. */
  resignThreshold?: number;
  /** MCTS-solver: propagate proven wins, losses and draws exactly, stop when the root is proven. Default true. */
  solver: boolean;
  /** Keep the subtree of the played move between searches (see advance()). Default true. */
  reuseTree: boolean;
  /** Random rollouts per leaf in UCT mode (no evaluator), averaged. Default 1. */
  rollouts: number;
  /**
   * How a simulation gets the leaf position: 'undo' plays the path on one scratch copy and takes it
   * back with State.undo(); 'clone' clones the root once per simulation. Default 'undo'.
   */
  replay: 'undo' | 'clone';
  /**
   * Cap on tree nodes (about 40 bytes each; every expansion adds one node per legal move). Once
   * reached, leaves are still evaluated and backed up but no longer expanded, so long searches
   * on big boards degrade gracefully instead of exhausting memory. Default 2^23 (~340 MB).
   */
  maxNodes: number;
}

export interface SearchLimits {
  /** Simulations to run in this search (added to any reused subtree). Default 800 when timeMs is also absent. */
  visits?: number;
  /** Stop after this many milliseconds. With visits too, stops at whichever comes first. */
  timeMs?: number;
  /** Called about every progressIntervalMs and once at the end. */
  onProgress?: (p: SearchProgress) => void;
  /** Default 100. */
  progressIntervalMs?: number;
  /** Checked between slices of simulations (every ~50 ms, or after each batch): true ends the search early. */
  shouldStop?: () => boolean;
  /**
   * Mix Dirichlet noise into the root's priors (when the search has dirichletEpsilon > 0). Default true;
   * false for the cheap searches of playout-cap randomisation, whose moves are not training targets.
   */
  noise?: boolean;
}

export interface SearchProgress {
  /** Simulations run by this search so far. */
  simulations: number;
  /** Visits at the root, reused ones included. */
  totalVisits: number;
  elapsedMs: number;
  bestAction: number;
  rootValue: number;
  /** The root's children so far, most visited first (as in SearchResult). */
  candidates: Candidate[];
}

export interface Candidate {
  action: number;
  visits: number;
  /** Mean value for the player to move at the root, in [-1, 1] (exact when proven). */
  q: number;
  prior: number;
  /** Principal variation starting with `action` (most visited child at each step). */
  pv: number[];
  proven?: 'win' | 'loss' | 'draw';
  /** Expected final score lead in points for the player to move at the root, where the search estimates one (Go). */
  scoreLead?: number;
}

export interface SearchResult {
  /** Most visited legal action (ties broken by value); a proven win if there is one; proven losses avoided. */
  action: number;
  /** Visits per action, length numActions. */
  visits: Float32Array;
  /** Normalised visit distribution pi, length numActions. */
  policy: Float32Array;
  /** Value for the player to move at the root, in [-1, 1]. */
  rootValue: number;
  /** Visits of the root's children, reused ones included. */
  totalVisits: number;
  /** Simulations run by this search. */
  simulations: number;
  /** Game-theoretic value of the root for the player to move, when the solver proved it. */
  proven?: 'win' | 'loss' | 'draw';
  /** rootValue < resignThreshold (never when no threshold is set). */
  resign: boolean;
  /** Root children with at least one visit (or proven), most visited first. */
  candidates: Candidate[];
  elapsedMs: number;
}

export interface MctsStats {
  searches: number;
  simulations: number;
  /** Calls made to the evaluator's async evaluate(). */
  evaluatorCalls: number;
  /** Positions sent in those calls. */
  positionsEvaluated: number;
  /** positionsEvaluated / evaluatorCalls. */
  meanBatchSize: number;
  /** Paths that ended on a leaf already waiting in the batch (undone, not counted as simulations). */
  collisions: number;
  /** Nodes in the pool now. */
  nodes: number;
  /** Leaves left unexpanded because the tree reached maxNodes. */
  expansionsSkipped: number;
}
