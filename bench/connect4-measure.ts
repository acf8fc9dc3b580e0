/**
 * One Connect Four net's strength, as the self-play issue measures it (used by
 * bench/connect4-strength.ts for one net and by its --curve mode for a run's generations):
 * - the share of the positions of ../shared/data/connect4/Test_L3_R1 and Test_L2_R1 where PUCT with
 *   the net picks a column the solver rates optimal;
 * - the score against pure UCT with random rollouts, colours alternating.
 * Searches run 16 at a time through one batching evaluator (onnxruntime where it loads).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBestEvaluatorWithReason } from '../src/nets/best-evaluator.ts';
import { makeGame } from '../src/env/games/index.ts';
import { connect4FromMoves } from '../src/env/games/connect4.ts';
import { columnScores } from '../src/env/solvers/connect4.ts';
import { SymmetryAveragedEvaluator } from '../src/nets/symmetry-evaluator.ts';
import { findNetDir, loadNet } from '../src/agents/alphazero/net.ts';
import { batched } from '../src/mcts/batching.ts';
import { playMatch, type MatchResult } from '../src/players/match.ts';
import { netPlayer } from '../src/players/net.ts';
import type { PlayerFactory } from '../src/players/player.ts';
import { uctPlayer } from '../src/players/search.ts';
import type { Fpu } from '../src/mcts/types.ts';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface SetResult {
  file: string;
  n: number;
  optimal: number;
  seconds: number;
}

export interface Strength {
  dir: string;
  inference: string;
  sets: SetResult[];
  match: MatchResult;
  matchSeconds: number;
}

export interface MeasureOptions {
  visits: number;
  positions: number;
  games: number;
  uct: number;
  /** First-play urgency of the net's search (default 0). */
  fpu?: Fpu;
  /** Leaves per net call in one search, under virtual loss (default 8; 1 = strictly sequential). */
  mctsBatchSize?: number;
  /** PUCT exploration constant of the net's search (default 1.5, as in self-play). */
  cPuct?: number;
  /** Seed of the match against UCT (default 4242); other seeds give other games. */
  seed?: number;
  /** Average each evaluation over the position and its mirror image (SymmetryAveragedEvaluator). */
  symmetries?: boolean;
  log?: (line: string) => void;
}

export interface Connect4NetPlayer {
  dir: string;
  /** 'onnxruntime', or 'tfjs (why onnxruntime did not load)'. */
  inference: string;
  agent: PlayerFactory;
  /** Free the evaluator and the net. */
  close(): Promise<void>;
}

/**
 * The net's player as every Connect Four measurement here plays it: PUCT with the net (searches share
 * net calls through one batching evaluator, onnxruntime where it loads), no noise, the most visited move.
 */
export async function openConnect4Player(modelArg: string, o: Pick<MeasureOptions, 'visits' | 'fpu' | 'mctsBatchSize' | 'cPuct' | 'symmetries'>): Promise<Connect4NetPlayer> {
  const game = makeGame('connect4');
  const dir = findNetDir(modelArg);
  if (dir === null) throw new Error(`no net in ${modelArg}`);
  const net = await loadNet(dir);
  const best = await createBestEvaluatorWithReason(game, net.model);
  const evaluator = o.symmetries === true ? new SymmetryAveragedEvaluator(game, best.evaluator) : best.evaluator;
  const inference = `${best.fallbackReason === undefined ? 'onnxruntime' : `tfjs (${best.fallbackReason})`}${o.symmetries === true ? ', averaged over the position and its mirror' : ''}`;
  const agent = netPlayer(game, batched(evaluator), { simulations: o.visits, cPuct: o.cPuct ?? 1.5, mctsBatchSize: o.mctsBatchSize ?? 8, virtualLoss: 3, temperatureMoves: 0, ...(o.fpu !== undefined ? { fpu: o.fpu } : {}) });
  const close = async (): Promise<void> => {
    if ('dispose' in best.evaluator && typeof best.evaluator.dispose === 'function') await (best.evaluator.dispose as () => Promise<void>)();
    net.model.dispose();
  };
  return { dir, inference, agent, close };
}

/** The match against pure UCT with `uct` rollouts per move, colours alternating, 8 games at a time. */
export function matchAgainstUct(agent: PlayerFactory, uct: number, games: number, seed: number): Promise<MatchResult> {
  const game = makeGame('connect4');
  return playMatch(game, agent, uctPlayer(game, uct), games, seed, 8);
}

export async function measureConnect4(modelArg: string, o: MeasureOptions): Promise<Strength> {
  const log = o.log ?? ((l: string) => console.log(l));
  const { dir, inference, agent, close } = await openConnect4Player(modelArg, o);
  log(`net ${dir}, ${o.visits} simulations per move, inference ${inference}`);

  const positionSet = async (file: string): Promise<SetResult | null> => {
    const path = join(root, '..', 'shared', 'data', 'connect4', file);
    if (!existsSync(path)) {
      log(`${file}: ${path} is absent; skipped`);
      return null;
    }
    const lines = readFileSync(path, 'utf8').trim().split('\n').slice(0, o.positions);
    let optimal = 0;
    let next = 0;
    const t0 = performance.now();
    const lane = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        if (i >= lines.length) return;
        const s = connect4FromMoves(lines[i]!.split(' ')[0]!);
        const scores = columnScores(s);
        const top = Math.max(...scores.filter((x): x is number => x !== null));
        const { action: a } = await agent(i).chooseMove(s.clone());
        if (scores[a] === top) optimal++;
      }
    };
    await Promise.all(Array.from({ length: 16 }, lane));
    return { file, n: lines.length, optimal, seconds: (performance.now() - t0) / 1000 };
  };

  const sets: SetResult[] = [];
  for (const f of ['Test_L3_R1', 'Test_L2_R1']) {
    const r = await positionSet(f);
    if (r) {
      sets.push(r);
      log(`${f}: solver-optimal ${r.optimal}/${r.n} (${((100 * r.optimal) / r.n).toFixed(1)}%) in ${r.seconds.toFixed(0)} s`);
    }
  }
  const t1 = performance.now();
  const match = await matchAgainstUct(agent, o.uct, o.games, o.seed ?? 4242);
  const matchSeconds = (performance.now() - t1) / 1000;
  log(`vs UCT ${o.uct}: +${match.wins} =${match.draws} -${match.losses} (score ${(100 * match.score).toFixed(1)}%, 95% CI ${(100 * match.low).toFixed(1)}-${(100 * match.high).toFixed(1)}%); ${byColour(match)}`);
  await close();
  return { dir, inference, sets, match, matchSeconds };
}

/** `--name value` pairs of the Connect Four benches, each name one of `known`; anything else is an error naming them. */
export function parseFlagPairs(argv: readonly string[], known: readonly string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i]!;
    const v = argv[i + 1];
    if (!k.startsWith('--') || v === undefined || !known.includes(k.slice(2))) throw new Error(`expected --name value pairs with name one of ${known.join(', ')}, got '${argv.slice(i).join(' ')}'`);
    args.set(k.slice(2), v);
  }
  return args;
}

/** Wins, draws and losses of the net (A) as first and as second player. */
export function byColour(m: MatchResult): string {
  const part = (p: 0 | 1): string => {
    const g = m.games.filter((x) => x.aPlayer === p);
    const w = g.filter((x) => x.aReturn > 0).length;
    const l = g.filter((x) => x.aReturn < 0).length;
    return `+${w} =${g.length - w - l} -${l}`;
  };
  return `first ${part(0)}, second ${part(1)}`;
}
