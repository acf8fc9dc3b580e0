/**
 * Yardsticks against programs outside tengen, played after each generation's checkpoint by the net
 * it saved (Go: GNU Go through GTP). A game that has one names its loader here, so the generic
 * pipeline neither imports nor knows the game.
 */
import type { Game } from '../../env/games/game.ts';
import type { AZConfig } from './config.ts';
import type { StrengthResult } from './strength.ts';

export interface OutsideYardstickContext {
  game: Game;
  config: AZConfig;
  generation: number;
  /** The generation's saved net (models/gen-N of the run). */
  modelDir: string;
  /** The run directory: where the yardstick keeps its game records. */
  runDir: string;
  backend?: string;
  /** A game against `opponent` ended: done of total. */
  onGame: (opponent: string, done: number, total: number) => void;
  log: (message: string) => void;
}

/** Plays the yardstick's games; null when it is switched off or cannot run here (said through log). */
export type OutsideYardstick = (ctx: OutsideYardstickContext) => Promise<StrengthResult | null>;

const BY_GAME: Record<string, () => Promise<OutsideYardstick>> = {
  go: async () => (await import('./gnugo-yardstick.ts')).gnugoGenerationYardstick,
};

/** The outside yardstick of a game, or null when it has none. */
export async function outsideYardstickFor(game: Game): Promise<OutsideYardstick | null> {
  const load = BY_GAME[game.name];
  return load ? load() : null;
}
