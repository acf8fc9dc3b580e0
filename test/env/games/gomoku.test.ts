import { describe, expect, it } from 'vitest';
import { Gomoku } from '../../../src/env/games/gomoku.ts';
import { makeGame } from '../../../src/env/games/index.ts';
import { UserError } from '../../../src/util/errors.ts';

/** Black plays `black` cells, White plays far-away filler cells in between. */
function line(game: Gomoku, black: number[], white: number[]) {
  const s = game.newInitialState();
  for (let i = 0; i < black.length; i++) {
    s.applyAction(black[i]!);
    if (i < white.length && !s.isTerminal()) s.applyAction(white[i]!);
  }
  return s;
}

describe('Gomoku (free-style)', () => {
  const g = new Gomoku(9);
  const at = (r: number, c: number) => r * 9 + c;

  it('wins with five in a row in every direction, not with four', () => {
    const filler = [at(8, 0), at(8, 2), at(8, 4), at(8, 6), at(8, 8)];
    expect(line(g, [0, 1, 2, 3].map((c) => at(0, c)), filler).isTerminal()).toBe(false);
    expect(line(g, [0, 1, 2, 3, 4].map((c) => at(0, c)), filler).returns()).toEqual([1, -1]);
    expect(line(g, [0, 1, 2, 3, 4].map((r) => at(r, 2)), filler).returns()).toEqual([1, -1]);
    expect(line(g, [0, 1, 2, 3, 4].map((k) => at(k, k)), filler).returns()).toEqual([1, -1]);
    expect(line(g, [0, 1, 2, 3, 4].map((k) => at(k, 6 - k)), filler).returns()).toEqual([1, -1]);
  });

  it('counts an overline (six or more) as a win', () => {
    // Black fills a1..c1 and e1..f1, then d1 joins them into six.
    const filler = [at(8, 0), at(8, 2), at(8, 4), at(8, 6), at(8, 8)];
    const s = line(g, [0, 1, 2, 4, 5].map((c) => at(0, c)), filler);
    expect(s.isTerminal()).toBe(false);
    expect(s.currentPlayer()).toBe(0);
    s.applyAction(at(0, 3));
    expect(s.returns()).toEqual([1, -1]);
  });

  it('names points column letter + row from the bottom, centre h8 on 15x15', () => {
    const s = new Gomoku().newInitialState();
    expect(s.actionToString(7 * 15 + 7)).toBe('h8');
    expect(s.stringToAction('a15')).toBe(0);
    expect(() => s.stringToAction('p1')).toThrow(/expected a point a1..o15/);
  });

  it('validates the board size and parameter names', () => {
    expect(makeGame('gomoku').numActions).toBe(225);
    expect(makeGame('gomoku', { size: 11 }).observationShape).toEqual([11, 11, 3]);
    expect(() => makeGame('gomoku', { size: 20 })).toThrow(/size must be an integer from 9 to 15, got 20/);
    expect(() => makeGame('gomoku', { size: 8 })).toThrow(UserError);
    expect(() => makeGame('gomoku', { szie: 9 })).toThrow(/unknown parameter 'szie'; known: size/);
  });

  it('keeps the position hash equal for the same stones reached in another order', () => {
    const a = g.newInitialState();
    for (const x of [10, 20, 30, 40]) a.applyAction(x);
    const b = g.newInitialState();
    for (const x of [30, 40, 10, 20]) b.applyAction(x);
    expect(a.hash()).toBe(b.hash());
    b.undo();
    expect(a.hash()).not.toBe(b.hash());
  });
});
