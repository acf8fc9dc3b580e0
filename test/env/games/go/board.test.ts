import { describe, expect, it } from 'vitest';
import { Board, BLACK, WHITE, EMPTY } from '../../../../src/env/games/go/board.ts';
import { GoGame } from '../../../../src/env/games/go/rules.ts';
import { Rng } from '../../../../src/util/rng.ts';

/** Naive liberties of the chain through p by flood fill. */
function naiveLibs(b: Board, p: number): number {
  const col = b.color[p];
  const seen = new Set<number>([p]);
  const libs = new Set<number>();
  const st = [p];
  while (st.length) {
    const x = st.pop()!;
    for (const d of b.dirs) {
      const q = x + d;
      if (b.color[q] === EMPTY) libs.add(q);
      else if (b.color[q] === col && !seen.has(q)) {
        seen.add(q);
        st.push(q);
      }
    }
  }
  return libs.size;
}

function place(b: Board, moves: Array<[string, number, number]>): void {
  for (const [c, r, col] of moves) b.play(b.point(r, col), c === 'B' ? BLACK : WHITE);
}

describe('Go fast board', () => {
  it('keeps chains, liberties, atari and captures exact through random games', () => {
    const rng = new Rng(7);
    for (const n of [5, 9, 13]) {
      for (let g = 0; g < 6; g++) {
        const b = new Board(n);
        let col = BLACK;
        for (let m = 0; m < n * n * 2; m++) {
          const cands = Array.from(b.empties.subarray(0, b.emptyCount)).filter((p) => b.isLegal(p, col));
          if (cands.length === 0) break;
          b.play(cands[rng.int(cands.length)]!, col);
          col = 3 - col;
          for (let p = 0; p < b.cells; p++) {
            if (b.color[p] === BLACK || b.color[p] === WHITE) {
              const libs = naiveLibs(b, p);
              expect(libs).toBeGreaterThan(0);
              expect(b.chainLiberties(p)).toBe(libs);
              expect(b.inAtari(b.head[p]!)).toBe(libs === 1);
            }
          }
          let empties = 0;
          for (let p = 0; p < b.cells; p++) if (b.color[p] === EMPTY) empties++;
          expect(b.emptyCount).toBe(empties);
        }
      }
    }
  });

  it('captures, sets the simple ko point, and forbids suicide unless allowed', () => {
    const b = new Board(5);
    // Ko shape around (1,1)/(1,2): black at (0,1),(1,0),(2,1); white at (0,2),(1,3),(2,2),(1,1)->captured by black (1,2)?
    place(b, [['B', 0, 1], ['B', 1, 0], ['B', 2, 1], ['W', 0, 2], ['W', 1, 3], ['W', 2, 2], ['W', 1, 1]]);
    b.play(b.point(1, 2), BLACK); // captures W at (1,1)
    expect(b.color[b.point(1, 1)]).toBe(EMPTY);
    expect(b.lastCaptures).toBe(1);
    expect(b.ko).toBe(b.point(1, 1));
    expect(b.isLegal(b.point(1, 1), WHITE)).toBe(false);
    b.play(b.point(4, 4), WHITE);
    b.play(b.point(4, 0), BLACK);
    expect(b.isLegal(b.point(1, 1), WHITE)).toBe(true);
    // Suicide: a lone empty point surrounded by black is suicide for white.
    const s = new Board(5);
    place(s, [['B', 0, 1], ['B', 1, 0]]);
    expect(s.isSuicide(s.point(0, 0), WHITE)).toBe(true);
    expect(s.isLegal(s.point(0, 0), WHITE)).toBe(false);
    expect(s.isLegal(s.point(0, 0), WHITE, true)).toBe(true);
    s.play(s.point(0, 0), WHITE);
    expect(s.color[s.point(0, 0)]).toBe(EMPTY);
  });

  it('hash depends only on the position (transpositions agree, captures restore)', () => {
    const a = new Board(9);
    const b = new Board(9);
    place(a, [['B', 2, 2], ['W', 3, 3], ['B', 4, 4]]);
    place(b, [['B', 4, 4], ['W', 3, 3], ['B', 2, 2]]);
    expect([a.hashLo, a.hashHi]).toEqual([b.hashLo, b.hashHi]);
    const c = new Board(9);
    const empty = [c.hashLo, c.hashHi];
    place(c, [['W', 0, 0], ['B', 0, 1]]);
    c.play(c.point(1, 0), BLACK);
    const d = new Board(9);
    place(d, [['B', 0, 1], ['B', 1, 0]]);
    expect([c.hashLo, c.hashHi]).toEqual([d.hashLo, d.hashHi]);
    expect([c.hashLo, c.hashHi]).not.toEqual(empty);
  });

  it('random playouts end with no legal non-eye move for either side and score by area', () => {
    const rng = new Rng(3);
    for (const n of [9, 19]) {
      for (let k = 0; k < 20; k++) {
        const b = new Board(n);
        b.playout(BLACK, rng, 3 * n * n);
        for (const col of [BLACK, WHITE]) {
          for (let i = 0; i < b.emptyCount; i++) {
            const p = b.empties[i]!;
            expect(b.isLegal(p, col) && !b.isEye(p, col) && p !== b.ko).toBe(false);
          }
        }
        const area = b.area();
        expect(b.score(7.5)).toBe(area[1]! - area[2]! - 7.5);
      }
    }
  });

  it('rollout leaves the state unchanged and is seeded', () => {
    const s = new GoGame({ size: 9 }).newInitialState();
    s.applyAction(40);
    const before = s.serialize();
    const r1 = [0, 1, 2].map((i) => s.rollout(new Rng(i)));
    const r2 = [0, 1, 2].map((i) => s.rollout(new Rng(i)));
    expect(r1).toEqual(r2);
    expect(s.serialize()).toBe(before);
  });
});
