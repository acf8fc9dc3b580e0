/** The nets that ship with tengen, under models/ at the package root. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Game } from '../../env/games/game.ts';
import { packagePath } from '../../util/paths.ts';

export const SHIPPED_MODELS = packagePath('models');

/**
 * The shipped net for a game, or null when none ships: models/<game>-<S>x<S>/ when the caller names a
 * board size S (Go 9x9 ships as models/go-9x9), else models/<game>/ (models/connect4).
 */
export function shippedNetDir(gameName: string, size?: number): string | null {
  const dir = join(SHIPPED_MODELS, size === undefined ? gameName : `${gameName}-${size}x${size}`);
  return existsSync(join(dir, 'model.json')) ? dir : null;
}

/** The shipped net for a game variant: sized by its board-size parameter where it has one (Go, Othello, Gomoku). */
export function shippedNetFor(game: Game): string | null {
  return shippedNetDir(game.name, typeof game.params.size === 'number' ? game.params.size : undefined);
}
