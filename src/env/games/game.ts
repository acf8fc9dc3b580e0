/**
 * The contract every two-player, perfect-information, zero-sum board game meets (after OpenSpiel's
 * spiel.h). Search (src/mcts) and learning (src/agents) code sees only these interfaces and an
 * Evaluator, never a concrete game, so tic-tac-toe and 19x19 Go share the same search.
 *
 * Players are 0 (the first to move: X, Black, Red) and 1. Actions are integers in [0, numActions).
 */

import type { Rng } from '../../util/rng.ts';

/** Returned by currentPlayer() once the game is over. */
export const TERMINAL = -4 as const;
/**
 * Which player, by seat: 0 moves first (X, Black, Red), 1 second. (A `Player` in src/players is
 * something else: the thing that picks moves in play.)
 */
export type PlayerId = 0 | 1;
export type PlayerIdOrTerminal = PlayerId | typeof TERMINAL;

/** One of a game's symmetries: maps an action and an observation to their images. */
export interface Symmetry {
  name: string;
  /** Image of action a under this symmetry (must be a bijection over [0, numActions)). */
  mapAction(a: number): number;
  /** Image of an observation (channels-last, boardShape spatial dims). Returns a new array. */
  mapObservation(obs: Float32Array): Float32Array;
}

export interface Game {
  /** Short machine name, e.g. 'tictactoe', 'connect4', 'go'. */
  readonly name: string;
  /** Number of distinct actions (a fixed action space; illegal ones are masked). */
  readonly numActions: number;
  /** [rows, cols] of the board. */
  readonly boardShape: readonly [number, number];
  /** [rows, cols, planes]: the shape of State.observation(), channels-last. */
  readonly observationShape: readonly [number, number, number];
  /** Upper bound on the number of moves in a game (for buffers and safety limits). */
  readonly maxGameLength: number;
  /** Parameters that identify this game variant (board size, rules...), JSON-serialisable. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Symmetries of the board, identity first. Absent or [identity] where the game has none. */
  symmetries?(): Symmetry[];
  newInitialState(): State;
  /** Rebuild a state from State.serialize(). Throws a clear error on malformed input. */
  deserialize(s: string): State;
}

export interface State {
  readonly game: Game;
  /** The player to move, or TERMINAL when the game is over. */
  currentPlayer(): PlayerIdOrTerminal;
  /** Legal actions for the player to move, ascending. Empty when terminal. */
  legalActions(): number[];
  /** 1 at legal actions, 0 elsewhere; length numActions. */
  legalMask(): Uint8Array;
  /** Play an action. Throws IllegalMoveError naming the legal actions; a rejected move changes nothing. */
  applyAction(a: number): void;
  /** Take back the last action. Throws if there is none. */
  undo(): void;
  clone(): State;
  isTerminal(): boolean;
  /** Final payoffs [player0, player1]: +1 win, -1 loss, 0 draw. [0, 0] while the game is running. */
  returns(): [number, number];
  /** Planes for a net, channels-last, from `player`'s point of view. Length = product of observationShape. */
  observation(player: PlayerId): Float32Array;
  /** Human-readable action, e.g. 'a1', 'D4', '4' (Connect Four column, 1-based), 'pass'. */
  actionToString(a: number): string;
  /** Inverse of actionToString. Throws a clear error on unparsable input. */
  stringToAction(s: string): number;
  /** Readable board. */
  toString(): string;
  /** Position key for transposition tables (includes the player to move). */
  hash(): bigint | string;
  /** Actions played from the initial state. */
  history(): number[];
  /** Compact text from which Game.deserialize rebuilds this state exactly. */
  serialize(): string;
  /**
   * Optional fast playout: play the game's own random playout policy from a copy of this state to
   * the end and return the final returns, leaving this state unchanged. Games where uniform random
   * play does not end sensibly (Go: no filling of one's own eyes, pass only when nothing else) provide
   * it; MCTS random rollouts use it when present, else uniform random legal actions.
   */
  rollout?(rng: Rng): [number, number];
  /**
   * Optional: the return the player to move can secure at once by ending the game with one move, or
   * null when no move ends it. Go: after the opponent's pass, passing back ends the game on the
   * present Tromp-Taylor count. Search floors a learned value with it (a player can always take
   * this exit), so a net that misjudges the count cannot make a losing pass look safe.
   */
  exitValue?(): number | null;
  /**
   * Optional: the move a player should make at play time when a search chose `choice`, its
   * candidates ranked best first in `ranked`. Go: no premature pass (see GoState.playTimeMove).
   * Self-play does not call it; the agents that play matches, GTP games and humans do.
   */
  playTimeMove?(choice: number, ranked: readonly number[]): number;
}

/** Evaluates positions for search: a prior over actions and a value for the player to move, in [-1, 1]. */
export interface Evaluator {
  evaluate(states: State[]): Promise<{ policy: Float32Array[]; value: Float32Array }>;
}

/** Format an IllegalMoveError message that names the legal actions. */
export function illegalMoveMessage(state: State, a: number, why = 'illegal'): string {
  const legal = state.legalActions();
  const shown = legal.slice(0, 40).map((x) => `${x} (${safeName(state, x)})`).join(', ');
  const more = legal.length > 40 ? `, ... (${legal.length} in all)` : '';
  return `${state.game.name}: action ${a} is ${why}; legal actions: ${legal.length ? shown + more : 'none (game over)'}`;
}

function safeName(state: State, a: number): string {
  try {
    return state.actionToString(a);
  } catch {
    return '?';
  }
}
