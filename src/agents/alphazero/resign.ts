/**
 * Resignation calibration (AlphaGo Zero): a fraction of self-play games is played with
 * resignation off. For each such game and each player we keep the lowest root value that player
 * saw, and whether that player went on to lose. A threshold t would have made the player resign
 * iff its minimum value < t; that resignation is a false positive if the player did not lose.
 * The calibrated threshold is the largest t whose false-positive rate among would-be resignations
 * stays at or under the target (5% by default); null (no resigning) until enough games are seen.
 */

export interface ResignRecord {
  /** Lowest root value seen by each player (from its own point of view). */
  minValue: [number, number];
  /** Final returns [player0, player1]. */
  returns: [number, number];
}

export interface ResignCalibration {
  threshold: number | null;
  /** False positives / would-be resignations at that threshold (0 when none would resign). */
  falsePositiveRate: number;
  wouldResign: number;
  checkedGames: number;
}

/** Rate of false positives at threshold t over the records. */
export function falsePositiveRate(records: readonly ResignRecord[], t: number): { rate: number; wouldResign: number } {
  let would = 0;
  let wrong = 0;
  for (const r of records) {
    for (const p of [0, 1] as const) {
      if (r.minValue[p] < t) {
        would++;
        if (r.returns[p] >= 0) wrong++;
      }
    }
  }
  return { rate: would === 0 ? 0 : wrong / would, wouldResign: would };
}

/** Pick the most aggressive threshold (in [-1, 0]) keeping the false-positive rate <= maxFp. */
export function calibrateResign(records: readonly ResignRecord[], maxFp: number, minGames: number): ResignCalibration {
  if (records.length < minGames) return { threshold: null, falsePositiveRate: 0, wouldResign: 0, checkedGames: records.length };
  let best: ResignCalibration = { threshold: null, falsePositiveRate: 0, wouldResign: 0, checkedGames: records.length };
  // Candidate thresholds: -1 .. 0 in steps of 0.01 (values at or above 0 would resign even positions).
  for (let k = 0; k <= 100; k++) {
    const t = -1 + k * 0.01;
    const { rate, wouldResign } = falsePositiveRate(records, t);
    if (rate > maxFp) break;
    if (wouldResign > 0) best = { threshold: t, falsePositiveRate: rate, wouldResign, checkedGames: records.length };
  }
  return best;
}
