/**
 * Strength yardsticks measured each generation, so a user sees the net improve:
 *   - the search player (net + MCTS, evaluation settings) against a uniformly random player;
 *   - against the perfect player on tic-tac-toe, else against pure UCT MCTS with random rollouts;
 *   - tic-tac-toe only: how often the raw net's top move is optimal, over every reachable position.
 */
import type { Evaluator, Game, State } from '../../env/games/game.ts';
import type { TicTacToeState } from '../../env/games/tictactoe.ts';
import { tictactoeOptimalMoves } from '../../env/solvers/tictactoe.ts';
import { playMatch } from '../../players/match.ts';
import { netPlayer, type NetPlayerOptions } from '../../players/net.ts';
import { uctPlayer } from '../../players/search.ts';
import { randomPlayer, solverPlayer } from '../../players/simple.ts';

export interface StrengthResult {
  opponent: string;
  wins: number;
  draws: number;
  losses: number;
  score: number;
  extra?: Record<string, number>;
}

/** Every non-terminal position reachable from the start (deduplicated by hash). Small games only. */
export function reachablePositions(game: Game, limit = 200_000): State[] {
  const seen = new Set<string>();
  const out: State[] = [];
  const walk = (s: State): void => {
    if (s.isTerminal()) return;
    const key = String(s.hash());
    if (seen.has(key)) return;
    seen.add(key);
    if (out.length >= limit) throw new Error(`${game.name}: more than ${limit} reachable positions`);
    out.push(s.clone());
    for (const a of s.legalActions()) {
      s.applyAction(a);
      walk(s);
      s.undo();
    }
  };
  walk(game.newInitialState());
  return out;
}

let tttPositions: State[] | null = null;

/** Fraction of reachable tic-tac-toe positions where the raw policy's top legal move is optimal. */
export async function tictactoeRawOptimalRate(game: Game, evaluator: Evaluator): Promise<{ rate: number; positions: number; mistakes: number }> {
  const positions = (tttPositions ??= reachablePositions(game));
  const { policy } = await evaluator.evaluate(positions);
  let ok = 0;
  positions.forEach((s, i) => {
    const p = policy[i]!;
    const legal = s.legalActions();
    let best = legal[0]!;
    for (const a of legal) if (p[a]! > p[best]!) best = a;
    if (tictactoeOptimalMoves(s as TicTacToeState).includes(best)) ok++;
  });
  return { rate: ok / positions.length, positions: positions.length, mistakes: positions.length - ok };
}

export async function measureStrength(
  game: Game,
  evaluator: Evaluator,
  agentOpts: NetPlayerOptions,
  games: number,
  baselineRollouts: number,
  seed: number,
  onProgress?: (opponent: string, done: number, total: number) => void,
): Promise<StrengthResult[]> {
  const out: StrengthResult[] = [];
  if (games <= 0) return out;
  const progress = (opponent: string) => (done: number, total: number): void => onProgress?.(opponent, done, total);
  const me = netPlayer(game, evaluator, agentOpts);
  const vsRandom = await playMatch(game, me, randomPlayer(), games, seed * 31 + 1, 8, progress('random'));
  out.push({ opponent: 'random', wins: vsRandom.wins, draws: vsRandom.draws, losses: vsRandom.losses, score: vsRandom.score });
  if (game.name === 'tictactoe') {
    // The perfect player is deterministic up to ties; argmax play keeps games distinct only through those.
    const vsPerfect = await playMatch(game, netPlayer(game, evaluator, { ...agentOpts, temperatureMoves: 0 }), solverPlayer(game), games, seed * 31 + 2, 8, progress('perfect'));
    const raw = await tictactoeRawOptimalRate(game, evaluator);
    out.push({
      opponent: 'perfect', wins: vsPerfect.wins, draws: vsPerfect.draws, losses: vsPerfect.losses, score: vsPerfect.score,
      extra: { rawOptimalRate: raw.rate, rawMistakes: raw.mistakes, positions: raw.positions },
    });
  } else {
    const vsUct = await playMatch(game, me, uctPlayer(game, baselineRollouts), games, seed * 31 + 3, 8, progress(`uct-${baselineRollouts}`));
    out.push({ opponent: `uct-${baselineRollouts}`, wins: vsUct.wins, draws: vsUct.draws, losses: vsUct.losses, score: vsUct.score });
  }
  return out;
}
