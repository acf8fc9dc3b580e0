import { afterAll, describe, expect, it } from 'vitest';
import { BLACK, Board, WHITE } from '../../src/env/games/go/board.ts';
import { GoGame, type GoState } from '../../src/env/games/go/rules.ts';
import { GoEngine } from '../../src/go-engine/engine.ts';
import { SHAPE_MATCH } from '../../src/go-engine/patterns.ts';
import { MoveRecord, PlayoutPolicy } from '../../src/go-engine/playout.ts';
import { GoSearch } from '../../src/go-engine/search.ts';
import { Rng } from '../../src/util/rng.ts';

/** A position from a diagram: rows top to bottom, X black, O white, '.' empty. */
function position(rows: string[], toPlay: 0 | 1, komi = 7.5): GoState {
  const n = rows.length;
  const black: number[] = [];
  const white: number[] = [];
  rows.forEach((row, r) => [...row.replace(/ /g, '')].forEach((ch, c) => {
    if (ch === 'X') black.push(r * n + c);
    if (ch === 'O') white.push(r * n + c);
  }));
  const s = new GoGame({ size: n, komi }).newInitialState();
  s.setup(black, white, toPlay);
  return s;
}

const engines: GoEngine[] = [];
afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

describe('go-engine shapes and tactics', () => {
  it('matches a hane and a cut in any orientation and colour, not an empty neighbourhood', () => {
    const policy = new PlayoutPolicy(9);
    // Hane: the centre E5 after X at D6, O at E6, X at F6 (the enclosing hane), for both colours and rotated.
    const hane = position(['.........', '.........', '.........', '...XOX...', '.........', '.........', '.........', '.........', '.........'], 0);
    const b = hane.board;
    expect(SHAPE_MATCH[policy.shapeCode(b, b.point(4, 4))]).toBe(1);
    const swapped = position(['.........', '.........', '.........', '...OXO...', '.........', '.........', '.........', '.........', '.........'], 0);
    expect(SHAPE_MATCH[policy.shapeCode(swapped.board, swapped.board.point(4, 4))]).toBe(1);
    const rotated = position(['.........', '.........', '.........', '.....X...', '.....O...', '.....X...', '.........', '.........', '.........'], 0);
    expect(SHAPE_MATCH[policy.shapeCode(rotated.board, rotated.board.point(4, 4))]).toBe(1);
    const empty = new Board(9);
    expect(SHAPE_MATCH[policy.shapeCode(empty, empty.point(4, 4))]).toBe(0);
  });

  it('knows a self-atari from a move that captures or keeps two liberties', () => {
    const s = position([
      '.....',
      '.X...',
      '..XO.',
      '.XO..',
      '.....',
    ], 1);
    const b = s.board;
    // White at B3 (r2 c1) is inside Black's mouth: one liberty left, nothing captured.
    expect(b.isSelfAtari(b.point(2, 1), WHITE)).toBe(true);
    // Black at D2 (r3 c3) has liberties around it.
    expect(b.isSelfAtari(b.point(3, 3), BLACK)).toBe(false);
    expect(b.libertiesUpTo(b.point(2, 2), -1, 10)).toBe(2);
    expect(b.libertiesUpTo(b.point(2, 2), b.point(2, 1), 10)).toBe(1);
  });

  it('plays out to the end: every point owned or neutral, the score the owners add up to', () => {
    const policy = new PlayoutPolicy(9);
    const s = new GoGame({ size: 9 }).newInitialState();
    const b = s.board.clone();
    const rec = new MoveRecord(1000);
    const score = policy.run(b, BLACK, -1, new Rng(5), 7.5, 243, rec);
    let black = 0;
    let white = 0;
    for (let r = 0; r < 9; r++) {
      for (let c = 0; c < 9; c++) {
        const o = policy.owner[b.point(r, c)];
        if (o === BLACK) black++;
        if (o === WHITE) white++;
      }
    }
    expect(score).toBe(black - white - 7.5);
    expect(black + white).toBeGreaterThan(70);
    expect(rec.length).toBeGreaterThan(60);
  });
});

describe('go-engine search', () => {
  it('captures a big chain in atari and saves its own', async () => {
    // A capturing race: White's five stones and Black's six share one liberty, A6. Black takes
    // first and wins by a few points; if White took first, White would win.
    const capture = position([
      '.........',
      '.........',
      'XXXXXXX..',
      '.OOOOOX..',
      'XXXXXXO..',
      'OOOOOOOOO',
      '.........',
      '.........',
      '.........',
    ], 0, 0.5);
    const engine = new GoEngine({ seed: 1, playouts: 3000, resignWinrate: null });
    engines.push(engine);
    const r = await engine.genmove(capture, {});
    expect(capture.actionToString(r.action)).toBe('A6');
    // Black's four stones have one liberty left, at E6; extending there reaches open space.
    const save = position([
      '.........',
      '.........',
      '.........',
      '...O.....',
      '..OXXO...',
      '..OXXO...',
      '...OO....',
      '.........',
      '.........',
    ], 0);
    const r2 = await engine.genmove(save, {});
    expect(save.actionToString(r2.action)).toBe('E6');
  });

  it('gives the same answer for the same seed and budget, on one thread or two', async () => {
    const s = new GoGame({ size: 9 }).newInitialState();
    s.applyAction(40);
    const run = async (threads: number): Promise<string> => {
      const e = new GoEngine({ seed: 7, threads, playouts: 2000, resignWinrate: null });
      engines.push(e);
      const r = await e.genmove(s, {});
      return `${r.action} ${r.summary.moves.slice(0, 3).map((m) => `${m.action}:${m.visits}`).join(',')}`;
    };
    expect(await run(1)).toBe(await run(1));
    expect(await run(2)).toBe(await run(2));
  }, 60_000);

  it('owns what is walled off, and passes back only when it wins the count', async () => {
    // Black walls off the left three columns of a 5x5 board, White the right two: Black leads by 5.
    const rows = [
      '..XO.',
      '..XO.',
      '..XO.',
      '..XO.',
      '..XO.',
    ];
    const s = position(rows, 1, 0.5);
    const search = new GoSearch(5, 3);
    search.setPosition(s);
    const sum = search.run({ playouts: 1500 });
    expect(sum.ownership[0]!).toBeGreaterThan(0.8);
    expect(sum.ownership[4]!).toBeLessThan(-0.8);
    expect(sum.scoreMean).toBeGreaterThan(0);
    // White passes; Black to move wins the count as it stands: Black passes back.
    s.applyAction(s.game.pass);
    const engine = new GoEngine({ seed: 2, playouts: 1500, resignWinrate: null });
    engines.push(engine);
    expect((await engine.genmove(s, {})).action).toBe(s.game.pass);
    // With White to move after Black's pass White would lose by passing back: it plays on or resigns, never passes.
    const w = position(rows, 0, 0.5);
    w.applyAction(w.game.pass);
    const we = new GoEngine({ seed: 2, playouts: 1500, resignWinrate: null });
    engines.push(we);
    expect((await we.genmove(w, {})).action).not.toBe(w.game.pass);
  });
});

describe('go-engine dead stones and the settled count', () => {
  it('finds a dead stone inside territory and counts it for the owner of the area', async () => {
    const { stoneStatus, settledScore, STATUS_DEAD, STATUS_ALIVE } = await import('../../src/go-engine/scoring.ts');
    const s = position([
      '.X.XO..',
      'XXXXO..',
      '...XO..',
      '.O.XOOO',
      '...XO..',
      'XXXXOO.',
      '...XO..',
    ], 1, 0.5);
    const search = new GoSearch(7, 11);
    search.setPosition(s);
    const sum = search.run({ playouts: 2000 });
    const status = stoneStatus(s, sum.ownership);
    const at = (v: string): number => s.stringToAction(v);
    expect(status[at('B4')]).toBe(STATUS_DEAD);
    expect(status[at('D4')]).toBe(STATUS_ALIVE);
    expect(status[at('E4')]).toBe(STATUS_ALIVE);
    // Black: columns A-D (28 points, the dead stone's included); White: E-G (21); komi 0.5.
    expect(settledScore(s, status)).toBe(6.5);
    // Tromp-Taylor, which keeps the dead stone, counts its region for nobody.
    expect(s.score()).toBeLessThan(6.5);
  });
});
