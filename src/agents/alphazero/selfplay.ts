/**
 * Self-play: games of PUCT MCTS against itself with root Dirichlet noise and a temperature
 * schedule (tau = 1 for the first `temperatureMoves` moves, then the most visited move), emitting
 * (observation, pi, z) for every position. Many games run at once in one thread; their searches
 * share one BatchingEvaluator, so their leaves reach the net as one batch.
 *
 * Every game draws its randomness from its own seed, derived from (run seed, generation, game
 * index), so a game's moves do not depend on which worker plays it or on what else runs beside it.
 */
import type { Evaluator, Game, PlayerId, State } from '../../env/games/game.ts';
import { MCTS, selectAction, temperatureFor } from '../../mcts/mcts.ts';
import { BatchingEvaluator } from '../../mcts/batching.ts';
import { Rng } from '../../util/rng.ts';
import type { AZConfig } from './config.ts';

/**
 * The run settings self-play reads, declared once: each is the AZConfig field of that name (see its
 * documentation there), copied as it is into every game and every cluster job.
 */
export const SELF_PLAY_FIELDS = [
  'simulations', 'cPuct', 'dirichletAlpha', 'dirichletEpsilon', 'mctsBatchSize', 'virtualLoss', 'temperatureMoves', 'reuseTree',
  'resignCheckFraction', 'fastSimulations', 'fullSearchFraction',
] as const satisfies readonly (keyof AZConfig)[];

/** Fields a cluster message may leave out (peers from before playout-cap randomisation): 0 and 1, every move searched in full. */
type OptionalSelfPlayField = 'fastSimulations' | 'fullSearchFraction';

export type SelfPlaySettings = Pick<AZConfig, Exclude<(typeof SELF_PLAY_FIELDS)[number], OptionalSelfPlayField>> &
  Partial<Pick<AZConfig, OptionalSelfPlayField>> & {
    /** Resign when the root value falls below this; null: never (not calibrated yet, or resignation off). */
    resignThreshold: number | null;
  };

/** The self-play settings of a run's config, with the resignation threshold as calibrated so far. */
export function selfPlaySettings(c: AZConfig, resignThreshold: number | null): SelfPlaySettings {
  const s: Record<string, unknown> = { resignThreshold: c.resign ? resignThreshold : null };
  for (const k of SELF_PLAY_FIELDS) s[k] = c[k];
  return s as SelfPlaySettings;
}

export interface Position {
  obs: Float32Array;
  pi: Float32Array;
  player: PlayerId;
  /** The search's root value for `player` (-1..1). */
  q: number;
}

export interface PlayedGame {
  generation: number;
  gameIndex: number;
  moves: number[];
  moveStrings: string[];
  /** The recorded (fully searched) positions: all of them unless playout-cap randomisation is on. */
  positions: Position[];
  /** Final returns; a resignation counts as a loss for the resigning player. */
  returns: [number, number];
  resigned: boolean;
  resignDisabled: boolean;
  /** Lowest root value each player saw (for resignation calibration). */
  minValue: [number, number];
  /** Final position, serialised (State.serialize). */
  final: string;
}

/** The per-game seed: a pure function of the run seed, generation and game index. */
export function gameSeed(runSeed: number, generation: number, gameIndex: number): string {
  return `selfplay:${runSeed}:${generation}:${gameIndex}`;
}

/** The search's leading moves after a self-play move, for live displays. */
export interface MoveCandidate {
  move: string;
  visits: number;
  /** Share of the root's visits, 0..1. */
  share: number;
  /** Mean value for the player to move, -1..1. */
  q: number;
}

export interface GameHooks {
  onStart?(gameIndex: number): void;
  onMove?(gameIndex: number, moveNumber: number, move: string, rootValue: number, candidates: MoveCandidate[]): void;
  onEnd?(g: PlayedGame): void;
  /** Called before every search; a returned promise (a pause) is awaited, a throw (an abort) ends the game. */
  beforeMove?(): Promise<void> | void;
}

/** How many candidates onMove reports. */
const LIVE_CANDIDATES = 5;

/** Play one self-play game to the end (or to a resignation). */
export async function playSelfPlayGame(
  game: Game,
  evaluator: Evaluator,
  s: SelfPlaySettings,
  seed: string,
  generation: number,
  gameIndex: number,
  hooks: GameHooks = {},
): Promise<PlayedGame> {
  const rng = new Rng(seed);
  const mcts = new MCTS(game, {
    seed: rng.nextUint32(),
    evaluator,
    cPuct: s.cPuct,
    dirichletAlpha: s.dirichletAlpha > 0 ? s.dirichletAlpha : undefined,
    dirichletEpsilon: s.dirichletEpsilon,
    virtualLoss: s.virtualLoss,
    batchSize: s.mctsBatchSize,
    reuseTree: s.reuseTree,
    // Self-play targets come from visit counts: let the search keep visiting proven positions.
    solver: false,
  });
  const resignDisabled = s.resignThreshold === null || rng.next() < s.resignCheckFraction;
  const state: State = game.newInitialState();
  const positions: Position[] = [];
  const moves: number[] = [];
  const moveStrings: string[] = [];
  const minValue: [number, number] = [1, 1];
  let resigned = false;
  let returns: [number, number] = [0, 0];
  hooks.onStart?.(gameIndex);
  for (let ply = 0; !state.isTerminal(); ply++) {
    if (ply > game.maxGameLength * 2 + 16) throw new Error(`${game.name}: self-play game ${gameIndex} did not end after ${ply} moves`);
    const wait = hooks.beforeMove?.();
    if (wait) await wait;
    const p = state.currentPlayer() as PlayerId;
    // Playout-cap randomisation: the coin is drawn only when it is on, so runs without it keep their moves.
    const fast = s.fastSimulations ?? 0;
    const full = fast === 0 || rng.next() < (s.fullSearchFraction ?? 1);
    const r = await mcts.search(state, full ? { visits: s.simulations } : { visits: fast, noise: false });
    if (r.rootValue < minValue[p]) minValue[p] = r.rootValue;
    if (!resignDisabled && s.resignThreshold !== null && r.rootValue < s.resignThreshold) {
      resigned = true;
      returns = p === 0 ? [-1, 1] : [1, -1];
      break;
    }
    if (full) positions.push({ obs: state.observation(p), pi: Float32Array.from(r.policy), player: p, q: r.rootValue });
    const a = selectAction(r, temperatureFor(ply, s.temperatureMoves), rng);
    const name = state.actionToString(a);
    const candidates: MoveCandidate[] = hooks.onMove
      ? r.candidates.slice(0, LIVE_CANDIDATES).map((c) => ({ move: state.actionToString(c.action), visits: c.visits, share: r.totalVisits > 0 ? c.visits / r.totalVisits : 0, q: c.q }))
      : [];
    state.applyAction(a);
    mcts.advance(a);
    moves.push(a);
    moveStrings.push(name);
    hooks.onMove?.(gameIndex, ply + 1, name, r.rootValue, candidates);
  }
  if (!resigned) returns = state.returns();
  const g: PlayedGame = { generation, gameIndex, moves, moveStrings, positions, returns, resigned, resignDisabled, minValue, final: state.serialize() };
  hooks.onEnd?.(g);
  return g;
}

/**
 * Training targets of a game: (obs, pi, z) with z = the final return of the player to move, or with
 * qWeight = w > 0, (1 - w) z + w q where q is the search's root value there.
 */
export function gameTargets(g: PlayedGame, qWeight = 0): { obs: Float32Array; pi: Float32Array; z: number }[] {
  return g.positions.map((p) => ({ obs: p.obs, pi: p.pi, z: (1 - qWeight) * g.returns[p.player] + qWeight * p.q }));
}

export interface SelfPlayBatchStats {
  evaluatorBatches: number;
  positionsEvaluated: number;
  meanBatch: number;
}

/**
 * Play the games `indices` with `concurrency` of them running at once, all searches batched into
 * one evaluator. Returns the games sorted by index.
 */
export async function playSelfPlayGames(
  game: Game,
  inner: Evaluator,
  s: SelfPlaySettings,
  runSeed: number,
  generation: number,
  indices: readonly number[],
  concurrency: number,
  hooks: GameHooks = {},
): Promise<{ games: PlayedGame[]; stats: SelfPlayBatchStats }> {
  const batching = new BatchingEvaluator(inner, { maxBatch: Math.max(1, concurrency * s.mctsBatchSize) });
  const queue = [...indices];
  const out: PlayedGame[] = [];
  const lane = async (): Promise<void> => {
    for (;;) {
      const idx = queue.shift();
      if (idx === undefined) return;
      out.push(await playSelfPlayGame(game, batching, s, gameSeed(runSeed, generation, idx), generation, idx, hooks));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, indices.length)) }, lane));
  out.sort((a, b) => a.gameIndex - b.gameIndex);
  const st = batching.stats;
  return { games: out, stats: { evaluatorBatches: st.batches, positionsEvaluated: st.positions, meanBatch: st.meanBatchSize } };
}
