import { describe, expect, it } from 'vitest';
import { TicTacToe } from '../../../src/env/games/tictactoe.ts';
import { IllegalMoveError } from '../../../src/util/errors.ts';

const game = new TicTacToe();
function play(...cells: number[]) {
  const s = game.newInitialState();
  for (const c of cells) s.applyAction(c);
  return s;
}

describe('tic-tac-toe', () => {
  it('detects rows, columns and diagonals for either player', () => {
    expect(play(0, 3, 1, 4, 2).returns()).toEqual([1, -1]); // X top row
    expect(play(0, 1, 3, 4, 8, 7).returns()).toEqual([-1, 1]); // O middle column
    expect(play(2, 0, 4, 1, 6).returns()).toEqual([1, -1]); // X anti-diagonal
    const draw = play(0, 4, 8, 1, 7, 6, 2, 5, 3);
    expect(draw.isTerminal()).toBe(true);
    expect(draw.returns()).toEqual([0, 0]);
  });

  it('names cells like chess squares and reads them back', () => {
    const s = game.newInitialState();
    expect([0, 4, 8].map((a) => s.actionToString(a))).toEqual(['a3', 'b2', 'c1']);
    expect(s.stringToAction('B2')).toBe(4);
    expect(() => s.stringToAction('d1')).toThrow(/expected a cell a1..c3/);
  });

  it('rejects an occupied cell naming the legal ones, and changes nothing', () => {
    const s = play(4);
    const before = s.serialize();
    expect(() => s.applyAction(4)).toThrow(IllegalMoveError);
    expect(() => s.applyAction(4)).toThrow(/occupied.*legal actions: 0 \(a3\)/);
    expect(s.serialize()).toBe(before);
  });

  it('gives observations from the asked player\'s side', () => {
    const s = play(4, 0); // X centre, O corner; X to move
    const x = s.observation(0);
    const o = s.observation(1);
    expect([x[4 * 3], x[4 * 3 + 1], x[0], x[1]]).toEqual([1, 0, 0, 1]);
    expect([o[4 * 3], o[4 * 3 + 1], o[0], o[1]]).toEqual([0, 1, 1, 0]);
    expect(x[2]).toBe(1); // X to move
    expect(s.toString()).toBe('3  O . .\n2  . X .\n1  . . .\n   a b c');
  });

  it('reports malformed serialized states clearly', () => {
    expect(() => game.deserialize('tictactoe:4,4')).toThrow(/action 4 is not legal at move 2/);
    expect(() => game.deserialize('tictactoe:9')).toThrow(/item 1 '9' is not an action in 0..8/);
    expect(() => game.deserialize('connect4:1')).toThrow(/expected 'tictactoe:'/);
  });
});
