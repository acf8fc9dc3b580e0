import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { SHIPPED_MODELS, shippedNetDir, shippedNetFor } from '../../../src/agents/alphazero/shipped.ts';
import { makeGame } from '../../../src/agents/alphazero/games.ts';

describe('shippedNetDir', () => {
  it('names models/<game>/ without a size and models/<game>-<S>x<S>/ with one, null where none ships', () => {
    expect(shippedNetDir('connect4')).toBe(join(SHIPPED_MODELS, 'connect4'));
    expect(shippedNetDir('go', 9)).toBe(join(SHIPPED_MODELS, 'go-9x9'));
    expect(shippedNetDir('go', 7)).toBe(join(SHIPPED_MODELS, 'go-7x7'));
    expect(shippedNetDir('go', 13)).toBeNull();
    // Go's default board is 19x19, for which no net ships: no size must not fall back to a 9x9 net.
    expect(shippedNetDir('go')).toBeNull();
  });

  it('finds a game variant\'s net by its board-size parameter', () => {
    expect(shippedNetFor(makeGame('connect4'))).toBe(join(SHIPPED_MODELS, 'connect4'));
    expect(shippedNetFor(makeGame('go', { size: 9 }))).toBe(join(SHIPPED_MODELS, 'go-9x9'));
    expect(shippedNetFor(makeGame('go'))).toBeNull();
    expect(shippedNetFor(makeGame('othello'))).toBeNull();
  });
});
