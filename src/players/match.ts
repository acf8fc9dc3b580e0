/**
 * Matches between two players with alternating colours (gating, strength yardsticks, `tengen
 * arena`, a cluster's evaluation jobs). A fresh player is made for each game (PlayerFactory), every
 * player hears every move (observe), and several games run at once so that net players' leaves are
 * batched into one net call.
 */
import type { Game, PlayerId, State } from '../env/games/game.ts';
import { UserError } from '../util/errors.ts';
import { Rng } from '../util/rng.ts';
import { scoreInterval } from '../util/elo.ts';
import type { PlayerFactory } from './player.ts';

/** One game of a match, from A's point of view. */
export interface MatchGame {
  /** The game's number in the match: its seeds and A's colour follow from it. */
  index: number;
  aPlayer: PlayerId;
  aReturn: number;
  moves: number[];
}

export interface MatchResult {
  /** From A's point of view. */
  wins: number;
  draws: number;
  losses: number;
  score: number;
  low: number;
  high: number;
  /** Per game, in index order: A's colour and A's return. */
  games: MatchGame[];
}

/**
 * Play games number `indices` of a match of A against B: A takes player 0 in even games and
 * player 1 in odd ones, and game i uses seeds derived from (seed, i), so a game's result depends
 * only on its number, not on concurrency or on which process plays it (a cluster worker plays a
 * slice of a match, the trainer sums them). `onGameEnd(done, total)` is called as each game ends.
 */
export async function playMatchGames(
  game: Game,
  a: PlayerFactory,
  b: PlayerFactory,
  indices: readonly number[],
  seed: number,
  concurrency = 8,
  onGameEnd?: (done: number, total: number) => void,
): Promise<MatchGame[]> {
  const results: MatchGame[] = new Array(indices.length);
  let next = 0;
  let finished = 0;
  const lane = async (): Promise<void> => {
    for (;;) {
      const k = next++;
      if (k >= indices.length) return;
      const i = indices[k]!;
      const rng = new Rng(`match:${seed}:${i}`);
      const aPlayer: PlayerId = (i % 2) as PlayerId;
      const playerA = a(rng.nextUint32());
      const playerB = b(rng.nextUint32());
      const state = game.newInitialState();
      const moves: number[] = [];
      try {
        while (!state.isTerminal()) {
          if (moves.length > game.maxGameLength * 2 + 16) throw new Error(`${game.name}: match game ${i} did not end`);
          const p = state.currentPlayer() as PlayerId;
          const d = await (p === aPlayer ? playerA : playerB).chooseMove(state);
          if (d.resign) {
            const resign = (state as State & { resign?: (player: PlayerId) => void }).resign;
            if (typeof resign !== 'function') throw new UserError(`${game.name}: a player resigned, but ${game.name} has no resignation`);
            resign.call(state, p);
            break;
          }
          state.applyAction(d.action);
          moves.push(d.action);
          playerA.observe?.(d.action);
          playerB.observe?.(d.action);
        }
      } finally {
        await Promise.all([playerA.close?.(), playerB.close?.()]);
      }
      results[k] = { index: i, aPlayer, aReturn: state.returns()[aPlayer], moves };
      onGameEnd?.(++finished, indices.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, indices.length)) }, lane));
  return results;
}

/** Win/draw/loss counts, score and its interval, from A's point of view. */
export function summarizeMatch(games: readonly MatchGame[]): MatchResult {
  let wins = 0;
  let draws = 0;
  let losses = 0;
  for (const r of games) {
    if (r.aReturn > 0) wins++;
    else if (r.aReturn < 0) losses++;
    else draws++;
  }
  return { wins, draws, losses, ...scoreInterval(wins, draws, losses), games: [...games].sort((x, y) => x.index - y.index) };
}

/**
 * Play `games` games of A against B (game numbers 0..games-1; see playMatchGames).
 * `onGameEnd(done, total)` is called as each game finishes (for progress displays).
 */
export async function playMatch(
  game: Game,
  a: PlayerFactory,
  b: PlayerFactory,
  games: number,
  seed: number,
  concurrency = 8,
  onGameEnd?: (done: number, total: number) => void,
): Promise<MatchResult> {
  return summarizeMatch(await playMatchGames(game, a, b, Array.from({ length: games }, (_, i) => i), seed, concurrency, onGameEnd));
}
