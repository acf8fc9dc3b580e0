import { describe, expect, it } from 'vitest';
import { Connect4, connect4FromMoves } from '../../../src/env/games/connect4.ts';
import { IllegalMoveError } from '../../../src/util/errors.ts';

/** Pons' key (current player's stones + all stones, bit 7*col + row) computed slowly with BigInt. */
function slowKey(moves: string): bigint {
  const heights = [0, 0, 0, 0, 0, 0, 0];
  const stones: bigint[] = [0n, 0n];
  for (let i = 0; i < moves.length; i++) {
    const c = Number(moves[i]) - 1;
    stones[i & 1]! |= 1n << BigInt(c * 7 + heights[c]!++);
  }
  const toMove = moves.length & 1;
  return stones[toMove]! + (stones[0]! | stones[1]!);
}

describe('Connect Four', () => {
  it('reads and writes Pons move strings and 1-based column names', () => {
    const s = connect4FromMoves('4455');
    expect(s.toMoves()).toBe('4455');
    expect(s.history()).toEqual([3, 3, 4, 4]);
    expect(s.actionToString(0)).toBe('1');
    expect(s.stringToAction('7')).toBe(6);
    expect(() => s.stringToAction('8')).toThrow(/expected a column digit 1..7/);
    expect(s.toString().split('\n').slice(-3)).toEqual(['| . . . O O . . |', '| . . . X X . . |', '  1 2 3 4 5 6 7']);
  });

  it('detects vertical, horizontal and both diagonal wins', () => {
    expect(connect4FromMoves('1212121').returns()).toEqual([1, -1]);
    expect(connect4FromMoves('1122334').returns()).toEqual([1, -1]);
    // Diagonal up-right for the first player: 1, 2(2nd row), 3(3rd), 4(4th).
    expect(connect4FromMoves('12233434544').returns()).toEqual([1, -1]);
    // The mirrored game: the other diagonal direction.
    expect(connect4FromMoves('7665545434').returns()).toEqual([0, 0]);
    expect(connect4FromMoves('76655454344').returns()).toEqual([1, -1]);
    // The second player wins vertically in column 1.
    expect(connect4FromMoves('2121217').isTerminal()).toBe(false);
    expect(connect4FromMoves('21212171').returns()).toEqual([-1, 1]);
  });

  it('keys positions like Pons (current + mask), player to move included', () => {
    for (const m of ['', '4', '4455', '44455554221', '53355233474363614756', '5555556']) {
      expect(connect4FromMoves(m).hash()).toBe(slowKey(m));
    }
  });

  it('rejects a full column with a clear error, changing nothing', () => {
    const s = connect4FromMoves('444444');
    const before = s.serialize();
    expect(() => s.applyAction(3)).toThrow(IllegalMoveError);
    expect(() => s.applyAction(3)).toThrow(/column 4, which is full; legal actions: 0 \(1\), 1 \(2\), 2 \(3\), 4 \(5\)/);
    expect(s.serialize()).toBe(before);
    expect(() => connect4FromMoves('4444444')).toThrow(/move 7 \(column 4\) is illegal: column 4 is full/);
    expect(() => connect4FromMoves('12121212')).toThrow(/move 8 .* after the game has ended/);
  });

  it('mirrors columns: the mirror of "1234" is the position "7654"', () => {
    const game = new Connect4();
    const [, mirror] = game.symmetries();
    const s = connect4FromMoves('1234');
    const m = connect4FromMoves('7654');
    expect(Array.from(mirror!.mapObservation(s.observation(0)))).toEqual(Array.from(m.observation(0)));
    expect([0, 3, 6].map((a) => mirror!.mapAction(a))).toEqual([6, 3, 0]);
  });
});
