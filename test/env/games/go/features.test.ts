import { describe, expect, it } from 'vitest';
import { GoGame, parseVertex } from '../../../../src/env/games/go/rules.ts';
import { LEE_PLANES } from '../../../../src/env/games/go/features.ts';

/** The one-hot bucket (0..7) set in planes [base, base+8) at vertex v, or -1 when none is set. */
function bucketAt(f: Float32Array, v: number, base: number): number {
  let found = -1;
  for (let k = 0; k < 8; k++) {
    if (f[v * LEE_PLANES + base + k] === 1) {
      expect(found).toBe(-1); // one-hot
      found = k;
    }
  }
  return found;
}

describe('AlphaGo Lee features on a hand-built position', () => {
  // Black B1, White A1 (in atari at A2), then White F1 and E2 so that Black E1 would be self-atari.
  const g = new GoGame({ size: 9, encoding: 'lee' });
  const s = g.newInitialState();
  for (const m of ['B1', 'A1', 'pass', 'F1', 'pass', 'E2']) s.applyAction(m === 'pass' ? g.pass : parseVertex(9, m));
  const f = s.observation(0); // Black to move
  const v = (name: string): number => parseVertex(9, name);

  it('liberties of chains on the board (planes 12-19)', () => {
    expect(bucketAt(f, v('A1'), 12)).toBe(0); // 1 liberty
    expect(bucketAt(f, v('B1'), 12)).toBe(1); // 2 liberties
    expect(bucketAt(f, v('F1'), 12)).toBe(2); // 3 liberties
    expect(bucketAt(f, v('E2'), 12)).toBe(3); // 4 liberties
    expect(bucketAt(f, v('E5'), 12)).toBe(-1); // empty point: no chain
  });

  it('capture size, self-atari size and liberties after the move (planes 20-43)', () => {
    expect(bucketAt(f, v('A2'), 20)).toBe(0); // captures 1 stone
    expect(bucketAt(f, v('A2'), 28)).toBe(-1); // not self-atari
    expect(bucketAt(f, v('A2'), 36)).toBe(2); // A1, A3, B2 after the capture
    expect(bucketAt(f, v('E1'), 20)).toBe(-1); // captures nothing
    expect(bucketAt(f, v('E1'), 28)).toBe(0); // puts 1 own stone in atari
    expect(bucketAt(f, v('E1'), 36)).toBe(0); // 1 liberty after (D1)
    expect(bucketAt(f, v('J5'), 36)).toBe(2); // edge point, 3 liberties
    expect(bucketAt(f, v('E5'), 36)).toBe(3); // open point, 4 liberties
    for (const occupied of ['A1', 'B1', 'F1', 'E2']) {
      for (const base of [20, 28, 36]) expect(bucketAt(f, v(occupied), base)).toBe(-1);
    }
  });

  it('stone colour, ones and zeros planes from the side to move', () => {
    expect(f[v('B1') * LEE_PLANES + 0]).toBe(1);
    expect(f[v('A1') * LEE_PLANES + 1]).toBe(1);
    expect(f[v('E5') * LEE_PLANES + 2]).toBe(1);
    const w = s.observation(1);
    expect(w[v('B1') * LEE_PLANES + 1]).toBe(1);
    expect(w[v('A1') * LEE_PLANES + 0]).toBe(1);
    for (let p = 0; p < 81; p++) {
      expect(f[p * LEE_PLANES + 3]).toBe(1);
      expect(f[p * LEE_PLANES + 47]).toBe(0);
    }
  });

  it('the most recent stone is one turn old (planes 4-11)', () => {
    expect(bucketAt(f, v('E2'), 4)).toBe(0);
    expect(bucketAt(f, v('E5'), 4)).toBe(-1);
    expect(bucketAt(f, v('B1'), 4)).toBeGreaterThan(bucketAt(f, v('F1'), 4));
  });
});

describe('AlphaGo Lee ladder escape', () => {
  it('marks an extension that gets an atari-ed chain out to open space', () => {
    // White E5 in atari (Black D5, F5, E6); extending to E4 reaches three liberties: no ladder.
    const g = new GoGame({ size: 9, encoding: 'lee' });
    const s = g.newInitialState();
    for (const m of ['D5', 'E5', 'F5', 'pass', 'E6']) s.applyAction(m === 'pass' ? g.pass : parseVertex(9, m));
    const f = s.observation(1); // White to move
    expect(f[parseVertex(9, 'E4') * LEE_PLANES + 45]).toBe(1);
    expect(f[parseVertex(9, 'A9') * LEE_PLANES + 45]).toBe(0);
    expect(f[parseVertex(9, 'E4') * LEE_PLANES + 44]).toBe(0);
  });
});
