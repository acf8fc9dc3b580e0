/**
 * The board-game registry: `makeGame('connect4')`, `makeGame('gomoku', { size: 9 })`.
 *
 * Built-in games register below. Other modules add theirs with `registerGame(name, factory)`
 * (the Go helper: `registerGame('go', (p) => new GoGame(p))` from src/env/games/go/, and import
 * that module wherever the registry must know Go). A factory validates its params and throws a
 * clear error on bad ones.
 */
import { UserError } from '../../util/errors.ts';
import type { Game } from './game.ts';
import { TicTacToe } from './tictactoe.ts';
import { Connect4 } from './connect4.ts';
import { Gomoku } from './gomoku.ts';
import { Othello } from './othello.ts';

export type GameParams = Record<string, unknown>;
export type GameFactory = (params: GameParams) => Game;

interface Entry {
  factory: GameFactory;
  description: string;
}

/**
 * The registry lives behind a hoisted function (not a module-level const), so a game module that
 * index.ts imports and that imports registerGame back (an ESM cycle) can register during its own
 * evaluation, before this module's body has run.
 */
function registry(): Map<string, Entry> {
  const holder = registry as unknown as { map?: Map<string, Entry> };
  return (holder.map ??= new Map<string, Entry>());
}

/** Add a game to the registry (throws if the name is taken, unless `replace` is set). */
export function registerGame(name: string, factory: GameFactory, description = '', replace = false): void {
  if (!/^[a-z][a-z0-9_-]*$/.test(name)) throw new Error(`registerGame: bad game name '${name}' (lowercase letters, digits, - and _)`);
  if (registry().has(name) && !replace) throw new Error(`registerGame: a game named '${name}' is already registered`);
  registry().set(name, { factory, description });
}

/** Names of the registered games, sorted. */
export function listGames(): string[] {
  return [...registry().keys()].sort();
}

/** One-line description of a registered game ('' if none was given). */
export function describeGame(name: string): string {
  return registry().get(name)?.description ?? '';
}

/** Build a game by name. Unknown names and bad params throw a UserError saying what is expected. */
export function makeGame(name: string, params: GameParams = {}): Game {
  const entry = registry().get(name);
  if (!entry) throw new UserError(`unknown game '${name}'; known games: ${listGames().join(', ')}`);
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw new UserError(`${name}: params must be an object, got ${JSON.stringify(params)}`);
  }
  return entry.factory(params);
}

/** Reject keys a game does not know (typos like { szie: 9 } must not pass silently). */
export function checkParamKeys(game: string, params: GameParams, known: readonly string[]): void {
  for (const k of Object.keys(params)) {
    if (!known.includes(k)) {
      throw new UserError(`${game}: unknown parameter '${k}'; ${known.length ? `known: ${known.join(', ')}` : 'it takes no parameters'}`);
    }
  }
}

registerGame('tictactoe', (p) => {
  checkParamKeys('tictactoe', p, []);
  return new TicTacToe();
}, 'tic-tac-toe, 3x3');
registerGame('connect4', (p) => {
  checkParamKeys('connect4', p, []);
  return new Connect4();
}, 'Connect Four, 7 columns x 6 rows');
registerGame('gomoku', (p) => {
  checkParamKeys('gomoku', p, ['size']);
  return new Gomoku(p.size === undefined ? 15 : (p.size as number));
}, 'free-style Gomoku (five or more in a row), size 9..15, default 15');
registerGame('othello', (p) => {
  checkParamKeys('othello', p, ['size']);
  return new Othello(p.size === undefined ? 8 : (p.size as number));
}, 'Othello (Reversi), size 6 or 8, default 8');

// Go registers itself (src/env/games/go/register.ts); the cycle is safe because registry() is a
// hoisted function, so every makeGame() user sees Go.
import './go/register.ts';

export { TicTacToe, TicTacToeState } from './tictactoe.ts';
export { Connect4, Connect4State } from './connect4.ts';
export { Gomoku, GomokuState } from './gomoku.ts';
export { Othello, OthelloState } from './othello.ts';
export { dihedralSymmetries, columnMirrorSymmetries } from './symmetry.ts';
export * from './game.ts';
