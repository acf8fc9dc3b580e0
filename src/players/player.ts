/**
 * The Player contract: everything that picks a move in play (net + MCTS, UCT with random rollouts,
 * a solver, random moves, an external GTP engine, AlphaGo Lee's search) is a Player, and play,
 * gtp, arena, bestmove, evaluation matches and the terminal play screen see only this interface.
 *
 * A Player belongs to one game at a time: it is told every move (observe), so a search can keep
 * its tree, and is asked for a move whenever it is its turn (chooseMove). What a move may cost is
 * a SearchBudget; what the search saw comes back as an Analysis (GTP's lz-analyze lines, the play
 * screen's "thinking" line and hints). Play-time rules (Go's pass discipline) are applied by the
 * search players (search.ts), once, so every command that plays gets them.
 */
import type { State } from '../env/games/game.ts';
import type { Candidate } from '../mcts/types.ts';

export type { Candidate };

/** How much a player may think about one move. Absent fields: the player's own default. */
export interface SearchBudget {
  /** Search simulations (visits) for the move. */
  visits?: number;
  /** Wall-clock milliseconds for the move; with visits too, whichever comes first. */
  timeMs?: number;
}

/** What a search saw at the root, for displays and analysis protocols. */
export interface Analysis {
  /** Moves considered, most visited first (a policy-only player: by prior, with 0 visits). */
  candidates: Candidate[];
  /** Value of the position for the player to move, in [-1, 1] (win rate = (value + 1) / 2). */
  rootValue: number;
  /** Visits at the root (reused ones included). */
  totalVisits: number;
  /** Expected score lead in points for the player to move, where the player estimates one (Go). */
  scoreLead?: number;
  /** Per board point, from the player to move's view: +1 theirs, -1 the opponent's (Go), where estimated. */
  ownership?: Float32Array;
}

export interface MoveRequest {
  /** This move's budget (overrides the player's default). */
  budget?: SearchBudget;
  /** Receives the analysis while the player thinks, about every analysisIntervalMs, and once at the end. */
  onAnalysis?: (a: Analysis) => void;
  /** Default 100. */
  analysisIntervalMs?: number;
  /**
   * Polled while thinking: true stops early, and the answer is the best move found so far (stop
   * buttons; pondering that ends when the next command arrives).
   */
  shouldStop?: () => boolean;
}

export interface MoveDecision {
  /** The move, legal in the state given. Not to be played when `resign` is true. */
  action: number;
  /** The player gives up the game (games with resignation: Go). */
  resign: boolean;
  /** What the player's search saw; absent for players that do not search (random, solver, GTP engines). */
  analysis?: Analysis;
}

export interface Player {
  /** For people: 'PUCT 800 visits + net models/connect4', 'mcts:400', 'solver'. */
  readonly name: string;
  /**
   * Choose a move for the player to move in `state` (not terminal; left unchanged). Rejects with a
   * UserError when the player cannot play this game or position (a net made for another board size).
   */
  chooseMove(state: State, request?: MoveRequest): Promise<MoveDecision>;
  /** Told every move of the game as it is played, its own included, in order. */
  observe?(action: number): void;
  /** The game was restarted or moves were taken back: forget what observe() built. */
  reset?(): void;
  /** Free what the player holds (processes, sessions); it is not used after. */
  close?(): Promise<void> | void;
}

/** What every kind of player is made with (each kind adds its own options). */
export interface PlayerOptions {
  /** Default budget per move (a MoveRequest's budget overrides it). */
  budget?: SearchBudget;
  /**
   * Playing strength, for players that can play below their best (1 = weakest); absent: full
   * strength. Players without levels ignore it.
   */
  level?: number;
}

/**
 * Makes the player for one game. `seed` seeds every random choice it makes (the same seed, the same
 * moves); a match makes a fresh player per game, its seed following from the game's number.
 */
export type PlayerFactory = (seed: number) => Player;
