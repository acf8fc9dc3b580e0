import { describe, expect, it } from 'vitest';
import { Othello } from '../../../src/env/games/othello.ts';
import type { OthelloState } from '../../../src/env/games/othello.ts';
import { makeGame } from '../../../src/env/games/index.ts';
import { IllegalMoveError } from '../../../src/util/errors.ts';
import { Rng } from '../../../src/util/rng.ts';

describe('Othello', () => {
  it('starts with the standard four discs and Black\'s four moves', () => {
    const s = new Othello(8).newInitialState();
    expect(s.discCounts()).toEqual([2, 2]);
    expect(s.legalActions().map((a) => s.actionToString(a))).toEqual(['d3', 'c4', 'f5', 'e6']);
    const six = new Othello(6).newInitialState();
    expect(six.legalActions().map((a) => six.actionToString(a))).toEqual(['c2', 'b3', 'e4', 'd5']);
  });

  it('flips the bracketed discs and undoes exactly', () => {
    const s = new Othello(8).newInitialState();
    const before = s.toString();
    s.applyAction(s.stringToAction('d3'));
    expect(s.discCounts()).toEqual([4, 1]);
    expect(s.board[3 * 8 + 3]).toBe(1); // d4 flipped to Black
    s.undo();
    expect(s.toString()).toBe(before);
  });

  it('makes a player pass when it has no move, and only then', () => {
    const game = new Othello(6);
    const rng = new Rng('othello-pass');
    let seen: OthelloState | null = null;
    for (let g = 0; g < 200 && !seen; g++) {
      const s = game.newInitialState();
      while (!s.isTerminal()) {
        const legal = s.legalActions();
        if (legal.length === 1 && legal[0] === game.pass) {
          seen = s;
          break;
        }
        expect(legal).not.toContain(game.pass);
        s.applyAction(legal[rng.int(legal.length)]!);
      }
    }
    expect(seen).not.toBeNull();
    const s = seen!;
    const player = s.currentPlayer();
    expect(s.actionToString(game.pass)).toBe('pass');
    s.applyAction(game.pass);
    expect(s.currentPlayer()).toBe(1 - (player as number));
    expect(s.legalActions()).not.toContain(game.pass);
    const before = s.serialize();
    expect(() => s.applyAction(game.pass)).toThrow(IllegalMoveError);
    expect(() => s.applyAction(game.pass)).toThrow(/pass while a move is available/);
    expect(s.serialize()).toBe(before);
  });

  it('ends when neither side can move and scores by disc count', () => {
    const game = new Othello(6);
    const rng = new Rng('othello-end');
    for (let g = 0; g < 50; g++) {
      const s = game.newInitialState();
      while (!s.isTerminal()) {
        const legal = s.legalActions();
        s.applyAction(legal[rng.int(legal.length)]!);
      }
      const [b, w] = s.discCounts();
      expect(s.returns()).toEqual([Math.sign(b - w) || 0, Math.sign(w - b) || 0]);
      expect(s.toString()).toMatch(/game over: X \d+, O \d+/);
    }
  });

  it('accepts only sizes 6 and 8', () => {
    expect(makeGame('othello').numActions).toBe(65);
    expect(makeGame('othello', { size: 6 }).numActions).toBe(37);
    expect(() => makeGame('othello', { size: 7 })).toThrow(/size must be 6 or 8, got 7/);
  });
});
