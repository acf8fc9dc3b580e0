/**
 * The agent a person plays against: a tree search over any Game, with or without a net.
 * The play screen sees only this interface.
 */
import type { State } from '../src/env/games/game.ts';
import { MCTS } from '../src/mcts/index.ts';
import type { MctsOptions, SearchProgress, SearchResult } from '../src/mcts/index.ts';

export interface PlayAgent {
  /** Shown on screen, e.g. 'MCTS 800 visits + net models/connect4'. */
  readonly name: string;
  /** Search the position and return the full result (move, candidates, value). */
  think(state: State, onProgress?: (p: SearchProgress) => void): Promise<SearchResult>;
  /** Tell the agent a move was played (tree reuse) or the game was rewound (undo: reset). */
  played(action: number): void;
  reset(): void;
}

export function mctsAgent(state: State, opts: { visits: number; timeMs?: number; name: string; mcts?: Partial<MctsOptions> }): PlayAgent {
  const mcts = new MCTS(state.game, { seed: 1, ...opts.mcts });
  return {
    name: opts.name,
    think: (s, onProgress) => mcts.search(s, { visits: opts.visits, timeMs: opts.timeMs, onProgress, progressIntervalMs: 100 }),
    played: (a) => mcts.advance(a),
    reset: () => mcts.reset(),
  };
}
