/**
 * Elo ladder over generations, built from evaluation games. Generation 0 (the untrained net) is
 * anchored at 0; each evaluated candidate gets its opponent's rating plus the Elo difference its
 * score implies (util/elo.ts eloDiff: clipped half a game from 0% and 100%, so that a clean sweep
 * gives a large but finite gap).
 */

export interface EloEntry {
  generation: number;
  elo: number;
  /** Generation it was measured against (null for the anchor). */
  opponent: number | null;
  score: number | null;
  games: number;
}

import { eloDiff } from '../../util/elo.ts';

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
