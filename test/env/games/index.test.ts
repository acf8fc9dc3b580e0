import { describe, expect, it } from 'vitest';
import { listGames, makeGame, registerGame, TicTacToe } from '../../../src/env/games/index.ts';
import { UserError } from '../../../src/util/errors.ts';

describe('game registry', () => {
  it('lists the built-in games and builds them by name', () => {
    expect(listGames()).toEqual(expect.arrayContaining(['connect4', 'gomoku', 'othello', 'tictactoe']));
    for (const name of ['connect4', 'gomoku', 'othello', 'tictactoe']) expect(makeGame(name).name).toBe(name);
  });

  it('rejects an unknown name, listing the known ones', () => {
    expect(() => makeGame('chess')).toThrow(UserError);
    expect(() => makeGame('chess')).toThrow(/unknown game 'chess'; known games: .*connect4.*tictactoe/);
    expect(() => makeGame('tictactoe', { size: 4 })).toThrow(/tictactoe: unknown parameter 'size'; it takes no parameters/);
  });

  it('lets another module register a game (the Go hook), once', () => {
    registerGame('tictactoe-copy', () => new TicTacToe());
    expect(listGames()).toContain('tictactoe-copy');
    expect(makeGame('tictactoe-copy').numActions).toBe(9);
    expect(() => registerGame('tictactoe-copy', () => new TicTacToe())).toThrow(/already registered/);
  });
});
