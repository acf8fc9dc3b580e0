/**
 * Match statistics, one home for every command that reports a match (arena, match, the self-play
 * Elo ladder, the benches): the score's 95% interval and the Elo difference it implies.
 *
 * The interval is Wilson's on the points per game (draws count half), which stays inside (0, 1)
 * except at 0% (low = 0) and 100% (high = 1); mapped through d = 400 log10(s / (1 - s)) those ends
 * are -inf and +inf, said as such. The point estimate at 0% and 100% is infinite too; a finite
 * stand-in, the score clipped to half a game from the end (0.5/n, 1 - 0.5/n), is given and marked
 * clipped, and it always lies inside the Elo interval.
 */

/** 95% Wilson score interval for `k` points (wins + draws / 2) in `n` games. */
export function wilson(k: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const den = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / den;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / den;
  return [p === 0 ? 0 : Math.max(0, c - h), p === 1 ? 1 : Math.min(1, c + h)];
}

/** The Elo difference a score in [0, 1] implies: -Infinity at 0, +Infinity at 1. */
export function eloOfScore(s: number): number {
  if (s <= 0) return -Infinity;
  if (s >= 1) return Infinity;
  return 400 * Math.log10(s / (1 - s));
}

/** Elo difference of a score over `games` games, clipped half a game from 0% and 100% so that it stays finite. */
export function eloDiff(score: number, games: number): number {
  const eps = games > 0 ? 0.5 / games : 0.01;
  return eloOfScore(Math.min(1 - eps, Math.max(eps, score)));
}

/** Score and its 95% interval from W/D/L. */
export function scoreInterval(wins: number, draws: number, losses: number): { score: number; low: number; high: number } {
  const n = wins + draws + losses;
  if (n === 0) return { score: 0.5, low: 0, high: 1 };
  const score = (wins + 0.5 * draws) / n;
  const [low, high] = wilson(wins + 0.5 * draws, n);
  return { score, low, high };
}

export interface MatchEstimate {
  games: number;
  score: number;
  /** 95% interval of the score. */
  low: number;
  high: number;
  /** Elo difference: the score's, or at 0% and 100% the clipped stand-in (see `clipped`). */
  elo: number;
  /** 95% interval of the Elo difference (-Infinity / +Infinity at 0% and 100%). */
  eloLow: number;
  eloHigh: number;
  /** The score was 0% or 100%: `elo` is eloDiff's clipped stand-in, not an estimate. */
  clipped: boolean;
}

/** Everything a match report says, from A's wins, draws and losses. */
export function matchEstimate(wins: number, draws: number, losses: number): MatchEstimate {
  const games = wins + draws + losses;
  const { score, low, high } = scoreInterval(wins, draws, losses);
  return { games, score, low, high, elo: eloDiff(score, games), eloLow: eloOfScore(low), eloHigh: eloOfScore(high), clipped: games > 0 && (score === 0 || score === 1) };
}

function signed(x: number): string {
  if (x === Infinity) return '+inf';
  if (x === -Infinity) return '-inf';
  const r = Math.round(x);
  return `${r >= 0 ? '+' : ''}${r}`;
}

/** 'Elo difference +120 (95% CI +40..+210)'; at 0% or 100%: 'Elo difference -191 (clipped: 0% scored; 95% CI -inf..+113)'. */
export function formatElo(e: MatchEstimate): string {
  const clip = e.clipped ? `clipped: ${e.score === 0 ? '0%' : '100%'} scored; ` : '';
  return `Elo difference ${signed(e.elo)} (${clip}95% CI ${signed(e.eloLow)}..${signed(e.eloHigh)})`;
}

/** 'score 75.0% (95% CI 30.1%..95.4%), Elo difference +191 (95% CI -73..+520)': what arena and match print. */
export function describeMatch(e: MatchEstimate): string {
  return `score ${(100 * e.score).toFixed(1)}% (95% CI ${(100 * e.low).toFixed(1)}%..${(100 * e.high).toFixed(1)}%), ${formatElo(e)}`;
}
