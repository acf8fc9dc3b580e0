/**
 * Match statistics against values computed by hand (Wilson: c = (p + z²/2n) / (1 + z²/n),
 * h = z sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n), z = 1.96; Elo: 400 log10(s / (1 - s))).
 */
import { describe, expect, it } from 'vitest';
import { describeMatch, eloDiff, formatElo, matchEstimate, wilson } from '../../src/util/elo.ts';

describe('match estimate', () => {
  it('0 of 2: the clipped stand-in -191 lies inside the interval -inf..+113, and says it is clipped', () => {
    const e = matchEstimate(0, 0, 2);
    expect(e.high).toBeCloseTo(0.65763, 4);
    expect(e.low).toBe(0);
    expect(e.eloLow).toBe(-Infinity);
    expect(e.eloHigh).toBeCloseTo(113.4, 1);
    expect(e.elo).toBeCloseTo(-190.85, 1);
    expect(e.clipped).toBe(true);
    expect(formatElo(e)).toBe('Elo difference -191 (clipped: 0% scored; 95% CI -inf..+113)');
  });

  it('3 wins and a draw of 4: +338 inside -74..+750, not on a bound', () => {
    const e = matchEstimate(3, 1, 0);
    expect(e.score).toBe(0.875);
    expect(e.low).toBeCloseTo(0.39577, 4);
    expect(e.high).toBeCloseTo(0.98681, 4);
    expect(e.elo).toBeCloseTo(338.04, 1);
    expect(e.eloLow).toBeCloseTo(-73.5, 0);
    expect(e.eloHigh).toBeCloseTo(749.6, 0);
    expect(e.clipped).toBe(false);
    expect(formatElo(e)).toBe('Elo difference +338 (95% CI -74..+750)');
  });

  it('keeps the estimate strictly inside its interval for every W/D/L of up to 12 games', () => {
    for (let n = 1; n <= 12; n++) {
      for (let w = 0; w <= n; w++) {
        for (let d = 0; w + d <= n; d++) {
          const e = matchEstimate(w, d, n - w - d);
          expect(e.eloLow).toBeLessThan(e.elo);
          expect(e.elo).toBeLessThan(e.eloHigh);
        }
      }
    }
  });

  it('agrees with the interval and ladder primitives, and reads as arena and match print it', () => {
    expect(wilson(5, 10)[0]).toBeCloseTo(0.2366, 3);
    expect(eloDiff(0.75, 100)).toBeCloseTo(190.85, 1);
    expect(matchEstimate(1, 0, 1).elo).toBeCloseTo(0, 6);
    expect(describeMatch(matchEstimate(2, 0, 0))).toBe('score 100.0% (95% CI 34.2%..100.0%), Elo difference +191 (clipped: 100% scored; 95% CI -113..+inf)');
  });
});
