import { describe, expect, it } from 'vitest';
import { gate, passesGate } from '../../../src/agents/alphazero/gating.ts';
import { playMatch } from '../../../src/players/match.ts';
import { randomPlayer, solverPlayer } from '../../../src/players/simple.ts';
import { calibrateResign, falsePositiveRate } from '../../../src/agents/alphazero/resign.ts';
import { EloLadder } from '../../../src/agents/alphazero/elo.ts';
import { eloDiff, scoreInterval } from '../../../src/util/elo.ts';
import { makeGame } from '../../../src/env/games/index.ts';

const game = makeGame('tictactoe');

describe('gating', () => {
  it('accepts a candidate that beats the best player', async () => {
    const r = await gate(game, solverPlayer(game), randomPlayer(), 20, 0.55, 1);
    expect(r.losses).toBe(0);
    expect(r.score).toBeGreaterThan(0.55);
    expect(r.accepted).toBe(true);
  });

  it('rejects a candidate that does not', async () => {
    const r = await gate(game, randomPlayer(), solverPlayer(game), 20, 0.55, 1);
    expect(r.wins).toBe(0);
    expect(r.accepted).toBe(false);
  });

  it('needs strictly more than the threshold', () => {
    expect(passesGate(0.55, 0.55)).toBe(false);
    expect(passesGate(0.5501, 0.55)).toBe(true);
  });

  it('alternates colours and gives the same result for the same seed', async () => {
    const a = await playMatch(game, randomPlayer(), randomPlayer(), 10, 5, 3);
    const b = await playMatch(game, randomPlayer(), randomPlayer(), 10, 5, 1);
    expect(a.games.map((g) => g.aPlayer)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    expect(b.games.map((g) => g.moves)).toEqual(a.games.map((g) => g.moves));
  });
});

describe('resignation calibration', () => {
  it('picks the most aggressive threshold under the false-positive target', () => {
    // 40 games: losers dip to -0.9; 5 comebacks dipped to -0.5 then drew or won.
    const recs = [];
    for (let i = 0; i < 35; i++) recs.push({ minValue: [-0.9, 0.2] as [number, number], returns: [-1, 1] as [number, number] });
    for (let i = 0; i < 5; i++) recs.push({ minValue: [-0.5, 0.1] as [number, number], returns: [0, 0] as [number, number] });
    const cal = calibrateResign(recs, 0.05, 20);
    expect(cal.threshold).not.toBeNull();
    expect(cal.threshold!).toBeLessThanOrEqual(-0.5);
    expect(cal.falsePositiveRate).toBeLessThanOrEqual(0.05);
    expect(falsePositiveRate(recs, -0.4).rate).toBeCloseTo(5 / 40);
    expect(calibrateResign(recs.slice(0, 5), 0.05, 20).threshold).toBeNull();
  });
});

describe('Elo', () => {
  it('rates a candidate from its score against a rated opponent', () => {
    const l = new EloLadder();
    expect(l.record(1, 0, 0.5, 20)).toBeCloseTo(0);
    const e2 = l.record(2, 1, 0.76, 100);
    expect(e2).toBeCloseTo(eloDiff(0.76, 100));
    expect(e2).toBeGreaterThan(190);
    expect(e2).toBeLessThan(210);
    const ci = scoreInterval(10, 0, 10);
    expect(ci.score).toBe(0.5);
    expect(ci.low).toBeLessThan(0.5);
    expect(ci.high).toBeGreaterThan(0.5);
  });
});
