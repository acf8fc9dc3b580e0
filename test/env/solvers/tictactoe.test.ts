import { describe, expect, it } from 'vitest';
import { TicTacToe } from '../../../src/env/games/tictactoe.ts';
import type { TicTacToeState } from '../../../src/env/games/tictactoe.ts';
import { tictactoeFromMoves, tictactoeMoveValues, tictactoeOptimalMoves, tictactoeValue } from '../../../src/env/solvers/tictactoe.ts';
import { Rng } from '../../../src/util/rng.ts';

/** Unmemoised reference minimax, to cross-check the memoised one on random positions. */
function plainMinimax(s: TicTacToeState): number {
  if (s.isTerminal()) return s.winnerOrNone() >= 0 ? -1 : 0;
  let best = -2;
  for (const a of s.legalActions()) {
    s.applyAction(a);
    best = Math.max(best, 0 - plainMinimax(s));
    s.undo();
  }
  return best;
}

describe('tic-tac-toe minimax', () => {
  it('values the empty board as a draw, with every first move drawing', () => {
    const s = new TicTacToe().newInitialState();
    expect(tictactoeValue(s)).toBe(0);
    expect([...tictactoeMoveValues(s).values()]).toEqual(new Array(9).fill(0));
    expect(tictactoeOptimalMoves(s)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('finds the immediate win and the only block', () => {
    // X: 1, 5; O: 2, 3 -> X to move wins at 9 (the diagonal).
    const win = tictactoeFromMoves('1253');
    expect(tictactoeValue(win)).toBe(1);
    expect(tictactoeOptimalMoves(win)).toContain(8);
    // X: 1, 5; O: 2 -> O must block at 9, and still loses (X forks with 7).
    const lost = tictactoeFromMoves('125');
    expect(tictactoeValue(lost)).toBe(-1);
    // After the block, X's fork at 7 is among the winning moves.
    const fork = tictactoeFromMoves('1259');
    expect(tictactoeValue(fork)).toBe(1);
    expect(tictactoeOptimalMoves(fork)).toContain(6);
  });

  it('knows the edge reply to a corner opening loses for O', () => {
    // X corner (1), O adjacent edge (2): X wins with best play.
    expect(tictactoeValue(tictactoeFromMoves('12'))).toBe(1);
    // O centre after a corner opening draws.
    expect(tictactoeValue(tictactoeFromMoves('15'))).toBe(0);
  });

  it('agrees with unmemoised minimax on random positions', () => {
    const rng = new Rng('ttt-solver');
    for (let k = 0; k < 60; k++) {
      const s = new TicTacToe().newInitialState();
      const n = rng.int(7);
      for (let i = 0; i < n && !s.isTerminal(); i++) {
        const legal = s.legalActions();
        s.applyAction(legal[rng.int(legal.length)]!);
      }
      expect(tictactoeValue(s)).toBe(plainMinimax(s.clone()));
    }
  });

  it('rejects malformed move strings', () => {
    expect(() => tictactoeFromMoves('10')).toThrow(/expected digits 1..9/);
    expect(() => tictactoeFromMoves('11')).toThrow(/cell is taken/);
    expect(() => tictactoeFromMoves('1425375')).toThrow(/after the game has ended/);
  });
});
