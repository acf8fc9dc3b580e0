/**
 * Game records in a game's own file format, for games that have one (Go: an SGF collection that a
 * Go GUI opens, each game a tree). A game registers its format with a loader, so that the code that
 * saves games (the self-play pipeline) stays generic and loads the format only when it writes one.
 */
import type { Game } from './game.ts';

/** One finished game, as the records need it. */
export interface RecordedGame {
  /** The actions played from the initial state. */
  moves: readonly number[];
  /** Final returns [first player, second player]. */
  returns: readonly [number, number];
  /** The game ended by a resignation (its loser: the player with return -1). */
  resigned: boolean;
}

export interface RecordInfo {
  /** Who played first and second (self-play: both the same net). */
  playerFirst: string;
  playerSecond: string;
  /** YYYY-MM-DD. */
  date: string;
}

export interface RecordFormat {
  /** The file extension, without the dot: 'sgf'. */
  extension: string;
  /** The games as one file's text. */
  write(game: Game, games: readonly RecordedGame[], info: RecordInfo): string;
}

const formats = new Map<string, () => Promise<RecordFormat>>();

/** Register the record format of the game named `gameName` (loaded the first time a record is written). */
export function registerRecordFormat(gameName: string, load: () => Promise<RecordFormat>): void {
  formats.set(gameName, load);
}

/** The record format of `game`, or null when it has none (its games are kept as JSON lines only). */
export async function recordFormatFor(game: Game): Promise<RecordFormat | null> {
  const load = formats.get(game.name);
  return load ? load() : null;
}
