/**
 * AlphaGo Zero gating: the candidate net plays the best net over N games with alternating colours
 * and replaces it only if its score (wins + draws / 2, over the games) exceeds the threshold
 * (the paper: 55% of 400 games). AlphaZero mode skips the gate and always keeps the newest net.
 */
import type { Game } from '../../env/games/game.ts';
import { playMatch, type MatchResult } from '../../players/match.ts';
import type { PlayerFactory } from '../../players/player.ts';

export interface GateResult extends MatchResult {
  accepted: boolean;
  threshold: number;
}

/** Whether a score passes the gate (strictly greater than the threshold). */
export function passesGate(score: number, threshold: number): boolean {
  return score > threshold;
}

export async function gate(
  game: Game,
  candidate: PlayerFactory,
  best: PlayerFactory,
  games: number,
  threshold: number,
  seed: number,
  concurrency = 8,
  onGameEnd?: (done: number, total: number) => void,
): Promise<GateResult> {
  if (!Number.isInteger(games) || games < 1) throw new Error(`gate: games must be a positive integer, got ${games}`);
  const m = await playMatch(game, candidate, best, games, seed, concurrency, onGameEnd);
  return { ...m, accepted: passesGate(m.score, threshold), threshold };
}
