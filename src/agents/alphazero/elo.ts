/**
 * Elo ladder over generations, built from evaluation games. Generation 0 (the untrained net) is
 * anchored at 0; each evaluated candidate gets its opponent's rating plus the Elo difference its
 * score implies, d = 400 log10(s / (1 - s)), with the score clamped away from 0 and 1 so that a
 * clean sweep gives a large but finite gap.
 */

export interface EloEntry {
  generation: number;
  elo: number;
  /** Generation it was measured against (null for the anchor). */
  opponent: number | null;
  score: number | null;
  games: number;
}

/** Elo difference implied by a score in [0, 1] over `games` games (score clamped to [0.5/n, 1 - 0.5/n]). */
export function eloDiff(score: number, games: number): number {
  const eps = games > 0 ? 0.5 / games : 0.01;
  const s = Math.min(1 - eps, Math.max(eps, score));
  return 400 * Math.log10(s / (1 - s));
}

/**
 * 95% confidence interval of a score from W/D/L: the Wilson score interval on the points per game
 * (draws count half), which stays sensible at 0% and 100%.
 */
export function scoreInterval(wins: number, draws: number, losses: number): { score: number; low: number; high: number } {
  const n = wins + draws + losses;
  if (n === 0) return { score: 0.5, low: 0, high: 1 };
  const score = (wins + 0.5 * draws) / n;
  const z = 1.96;
  const z2n = (z * z) / n;
  const centre = (score + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((score * (1 - score)) / n + (z * z) / (4 * n * n))) / (1 + z2n);
  return { score, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export class EloLadder {
  entries: EloEntry[] = [{ generation: 0, elo: 0, opponent: null, score: null, games: 0 }];

  ratingOf(generation: number): number {
    const e = this.entries.find((x) => x.generation === generation);
    if (!e) throw new Error(`EloLadder: generation ${generation} has no rating`);
    return e.elo;
  }

  has(generation: number): boolean {
    return this.entries.some((x) => x.generation === generation);
  }

  /** Record generation `generation`'s score against `opponent` (already rated) and return its rating. */
  record(generation: number, opponent: number, score: number, games: number): number {
    const elo = this.ratingOf(opponent) + eloDiff(score, games);
    this.entries = this.entries.filter((x) => x.generation !== generation);
    this.entries.push({ generation, elo, opponent, score, games });
    this.entries.sort((a, b) => a.generation - b.generation);
    return elo;
  }

  toJSON(): EloEntry[] {
    return this.entries;
  }

  static fromJSON(entries: EloEntry[]): EloLadder {
    const l = new EloLadder();
    if (Array.isArray(entries) && entries.length > 0) l.entries = entries.map((e) => ({ ...e }));
    return l;
  }
}
