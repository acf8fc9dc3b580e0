// Toy-text models against Gymnasium: transition tables P equal Gymnasium's exactly (SHA-256 of
// the float64 bits of every entry, plus full tables for the small ones), initial distributions,
// Taxi's action masks, and Blackjack's scoring on fixed card sequences. Windy Gridworld (not in
// Gymnasium) is checked against Sutton & Barto's optimal episode lengths.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { make } from '../../src/env/registry.ts';
import { BlackjackEnv, type BlackjackOptions } from '../../src/env/toytext/blackjack.ts';
import type { DiscreteModelEnv, TransitionTable } from '../../src/env/toytext/discrete.ts';
import { TaxiEnv } from '../../src/env/toytext/taxi.ts';
import { WindyGridworldEnv } from '../../src/env/toytext/windy-gridworld.ts';

const load = <T>(name: string): T => (JSON.parse(readFileSync(new URL(`../fixtures/gym/${name}`, import.meta.url), 'utf8')) as { data: T }).data;

function hex(x: number): string {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(x);
  return b.toString('hex');
}
function digest(P: TransitionTable): string {
  const h = createHash('sha256');
  for (const row of P) {
    for (const ts of row) {
      for (const [p, ns, r, t] of ts) h.update(`${hex(p)},${ns},${hex(r)},${t ? 1 : 0};`);
      h.update('|');
    }
  }
  return h.digest('hex');
}

interface TableCase {
  id: string;
  kwargs: Record<string, unknown>;
  digest: string;
  initial?: Record<string, number>;
  P?: TransitionTable;
  actionMask?: string[];
}

describe('toy-text transition tables equal Gymnasium P', () => {
  const cases = load<TableCase[]>('toytext.json');
  it.each(cases.map((c) => [`${c.id} ${JSON.stringify(c.kwargs)}`, c] as const))('%s', (_name, c) => {
    const env = make(c.id, c.kwargs).unwrapped as unknown as DiscreteModelEnv;
    if (c.P) expect(env.P).toEqual(c.P);
    expect(digest(env.P)).toBe(c.digest);
    const initial: Record<string, number> = {};
    env.initialStateDistrib.forEach((p, s) => {
      if (p !== 0) initial[String(s)] = p;
    });
    if (c.initial) expect(initial).toEqual(c.initial);
    if (c.actionMask) {
      const taxi = env as unknown as TaxiEnv;
      c.actionMask.forEach((m, s) => expect(taxi.actionMask(s).join(''), `mask of state ${s}`).toBe(m));
    }
  });
});

class QueuedBlackjack extends BlackjackEnv {
  queue: number[] = [];
  protected override drawCard(): number {
    const c = this.queue.shift();
    if (c === undefined) throw new Error('card queue empty');
    return c;
  }
}

describe('Blackjack scoring matches Gymnasium on fixed card sequences', () => {
  interface Hand {
    flags: BlackjackOptions;
    player: number[];
    dealer: number[];
    cards: number[];
    used: number;
    steps: { a: number; obs: number[]; r: number; term: boolean }[];
  }
  const hands = load<Hand[]>('blackjack.json');
  it('every hand: observations, rewards, termination and cards drawn', () => {
    expect(hands.length).toBeGreaterThan(100);
    for (const h of hands) {
      const env = new QueuedBlackjack(h.flags);
      env.queue = [1, 2, 3, 4];
      env.reset({ seed: 0 });
      env.state = [h.player.length, ...h.player, ...h.dealer];
      env.queue = h.cards.slice();
      for (const s of h.steps) {
        const r = env.step(s.a);
        expect(r.observation).toEqual(s.obs);
        expect(r.reward).toBe(s.r);
        expect(r.terminated).toBe(s.term);
      }
      expect(h.cards.length - env.queue.length).toBe(h.used);
    }
    // the fixtures exercise the natural payouts
    expect(hands.some((h) => h.steps.some((s) => s.r === 1.5))).toBe(true);
  });

  it("make('Blackjack-v1') uses Sutton & Barto's rules (sab=true) as Gymnasium's registry does", () => {
    const env = make('Blackjack-v1').unwrapped as unknown as BlackjackEnv;
    expect(env.sab).toBe(true);
    expect(new BlackjackEnv().sab).toBe(false);
  });
});

/** Value iteration on P (undiscounted, episodic) for the optimal start value. */
function optimalStartValue(env: DiscreteModelEnv, start: number): number {
  const V = new Float64Array(env.nS);
  for (let it = 0; it < 1000; it++) {
    let delta = 0;
    for (let s = 0; s < env.nS; s++) {
      let best = -Infinity;
      for (const ts of env.P[s]!) {
        let q = 0;
        for (const [p, ns, r, t] of ts) q += p * (r + (t ? 0 : V[ns]!));
        best = Math.max(best, q);
      }
      delta = Math.max(delta, Math.abs(best - V[s]!));
      V[s] = best;
    }
    if (delta < 1e-12) break;
  }
  return V[start]!;
}

describe('Windy Gridworld (Sutton & Barto Example 6.5, Exercise 6.9)', () => {
  it('the optimal episode takes 15 steps with the four moves, 7 with king moves (with or without stay)', () => {
    const four = new WindyGridworldEnv();
    expect(optimalStartValue(four, four.startState)).toBeCloseTo(-15, 9);
    const king = new WindyGridworldEnv({ kingMoves: true });
    expect(optimalStartValue(king, king.startState)).toBeCloseTo(-7, 9);
    const stay = new WindyGridworldEnv({ kingMoves: true, stay: true });
    expect(stay.actionSpace.n).toBe(9);
    expect(optimalStartValue(stay, stay.startState)).toBeCloseTo(-7, 9);
  });

  it('the wind of the column left behind pushes the agent up, clipped at the top', () => {
    const env = new WindyGridworldEnv();
    env.reset({ seed: 0 });
    env.state = [3 * 10 + 6]; // row 3, column 6 (wind 2)
    expect(env.step(1).observation).toBe(1 * 10 + 7); // right: up 2 -> row 1, column 7
    env.state = [0 * 10 + 7];
    expect(env.step(3).observation).toBe(0 * 10 + 6); // clipped at row 0
    env.state = [3 * 10 + 6];
    expect(env.step(2).observation).toBe(2 * 10 + 6); // down 1, wind up 2
  });

  it('stochastic wind spreads each windy move over three outcomes', () => {
    const env = new WindyGridworldEnv({ stochasticWind: true });
    expect(env.P[3 * 10 + 4]![1]!.map((t) => t[1])).toEqual([3 * 10 + 5, 2 * 10 + 5, 1 * 10 + 5]);
    expect(env.P[3 * 10 + 0]![1]!.length).toBe(1);
  });
});
