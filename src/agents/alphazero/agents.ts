/**
 * Players for evaluation games (gating, strength yardsticks, `tengen arena`) and the match loop
 * that plays them against each other with alternating colours.
 *
 * An Agent is made fresh for each game (AgentFactory), so searches can keep their tree between
 * moves; every agent hears every move (observe) and picks its own with pick(). Matches run several
 * games at once so that net agents' leaves are batched into one net call.
 */
import type { Evaluator, Game, Player, State } from '../../env/games/game.ts';
import { MCTS, selectAction } from '../../mcts/mcts.ts';
import type { Fpu } from '../../mcts/types.ts';
import { BatchingEvaluator } from '../../mcts/batching.ts';
import { Rng } from '../../util/rng.ts';
import { tictactoeOptimalMoves } from '../../env/solvers/tictactoe.ts';
import { optimalMoves as connect4OptimalMoves } from '../../env/solvers/connect4.ts';
import type { TicTacToeState } from '../../env/games/tictactoe.ts';
import type { Connect4State } from '../../env/games/connect4.ts';
import { UserError } from '../../util/errors.ts';
import { scoreInterval } from './elo.ts';

export interface Agent {
  /** The move to play, or RESIGN (games whose State has resign(), such as Go). */
  pick(state: State): Promise<number>;
  /** Told every move played (its own included), in order. */
  observe?(action: number): void;
  /** Called once when the game is over (or abandoned): free processes and the like. */
  close?(): Promise<void> | void;
}

/** What Agent.pick returns to resign. */
export const RESIGN = -1;

/** Makes the agent for one game; `seed` is that game's seed for this agent. */
export type AgentFactory = (seed: number) => Agent;

export function randomAgent(): AgentFactory {
  return (seed) => {
    const rng = new Rng(seed);
    return {
      pick: async (s) => {
        const legal = s.legalActions();
        return legal[rng.int(legal.length)]!;
      },
    };
  };
}

/** A perfect player where the game has a solver (tic-tac-toe, Connect Four); random among optimal moves. */
export function solverAgent(game: Game): AgentFactory {
  if (game.name !== 'tictactoe' && game.name !== 'connect4') throw new UserError(`no solver for ${game.name}; solvers exist for tictactoe and connect4`);
  return (seed) => {
    const rng = new Rng(seed);
    return {
      pick: async (s) => {
        const opt = game.name === 'tictactoe' ? tictactoeOptimalMoves(s as TicTacToeState) : connect4OptimalMoves(s as Connect4State);
        return opt[rng.int(opt.length)]!;
      },
    };
  };
}

export function hasSolver(game: Game): boolean {
  return game.name === 'tictactoe' || game.name === 'connect4';
}

/** Pure UCT MCTS with random rollouts, `rollouts` simulations per move. */
export function uctAgent(game: Game, rollouts: number): AgentFactory {
  return (seed) => {
    const mcts = new MCTS(game, { seed, reuseTree: true });
    return {
      pick: async (s) => (await mcts.search(s, { visits: rollouts })).action,
      observe: (a) => mcts.advance(a),
    };
  };
}

export interface NetAgentOptions {
  simulations: number;
  cPuct: number;
  mctsBatchSize: number;
  virtualLoss: number;
  /** Opening moves sampled in proportion to visits (so repeated games differ); then argmax. */
  temperatureMoves: number;
  /** First-play urgency of unvisited children (MctsOptions.fpu); default 0. */
  fpu?: Fpu;
}

/**
 * PUCT MCTS guided by an evaluator (a net), without noise. simulations 0: play the raw policy's top move.
 * The game's play-time rule (State.playTimeMove: Go's pass discipline) has the last word.
 */
export function netAgent(game: Game, evaluator: Evaluator, o: NetAgentOptions): AgentFactory {
  return (seed) => {
    const rng = new Rng(seed);
    if (o.simulations === 0) {
      let ply = 0;
      return {
        pick: async (s) => {
          const { policy } = await evaluator.evaluate([s]);
          const p = policy[0]!;
          const legal = s.legalActions();
          if (ply < o.temperatureMoves) return legal[rng.categorical(legal.map((a) => p[a]! + 1e-9))]!;
          let best = legal[0]!;
          for (const a of legal) if (p[a]! > p[best]!) best = a;
          // Only a game with a play-time rule needs the whole ranking.
          return s.playTimeMove ? s.playTimeMove(best, [...legal].sort((x, y) => p[y]! - p[x]!)) : best;
        },
        observe: () => void ply++,
      };
    }
    const mcts = new MCTS(game, { seed: rng.nextUint32(), evaluator, cPuct: o.cPuct, batchSize: o.mctsBatchSize, virtualLoss: o.virtualLoss, reuseTree: true, ...(o.fpu !== undefined ? { fpu: o.fpu } : {}) });
    let ply = 0;
    return {
      pick: async (s) => {
        const r = await mcts.search(s, { visits: o.simulations });
        const a = selectAction(r, ply < o.temperatureMoves ? 1 : 0, rng);
        return s.playTimeMove ? s.playTimeMove(a, r.candidates.map((c) => c.action)) : a;
      },
      observe: (a) => {
        ply++;
        mcts.advance(a);
      },
    };
  };
}

/** One game of a match, from A's point of view. */
export interface MatchGame {
  /** The game's number in the match: its seeds and A's colour follow from it. */
  index: number;
  aPlayer: Player;
  aReturn: number;
  moves: number[];
}

export interface MatchResult {
  /** From A's point of view. */
  wins: number;
  draws: number;
  losses: number;
  score: number;
  low: number;
  high: number;
  /** Per game, in index order: A's colour and A's return. */
  games: MatchGame[];
}

/**
 * Play games number `indices` of a match of A against B: A takes player 0 in even games and
 * player 1 in odd ones, and game i uses seeds derived from (seed, i), so a game's result depends
 * only on its number, not on concurrency or on which process plays it (a cluster worker plays a
 * slice of a match, the trainer sums them). `onGameEnd(done, total)` is called as each game ends.
 */
export async function playMatchGames(
  game: Game,
  a: AgentFactory,
  b: AgentFactory,
  indices: readonly number[],
  seed: number,
  concurrency = 8,
  onGameEnd?: (done: number, total: number) => void,
): Promise<MatchGame[]> {
  const results: MatchGame[] = new Array(indices.length);
  let next = 0;
  let finished = 0;
  const lane = async (): Promise<void> => {
    for (;;) {
      const k = next++;
      if (k >= indices.length) return;
      const i = indices[k]!;
      const rng = new Rng(`match:${seed}:${i}`);
      const aPlayer: Player = (i % 2) as Player;
      const agentA = a(rng.nextUint32());
      const agentB = b(rng.nextUint32());
      const state = game.newInitialState();
      const moves: number[] = [];
      try {
        while (!state.isTerminal()) {
          if (moves.length > game.maxGameLength * 2 + 16) throw new Error(`${game.name}: match game ${i} did not end`);
          const p = state.currentPlayer() as Player;
          const act = await (p === aPlayer ? agentA : agentB).pick(state);
          if (act === RESIGN) {
            const resign = (state as State & { resign?: (player: Player) => void }).resign;
            if (typeof resign !== 'function') throw new UserError(`${game.name}: an agent resigned, but ${game.name} has no resignation`);
            resign.call(state, p);
            break;
          }
          state.applyAction(act);
          moves.push(act);
          agentA.observe?.(act);
          agentB.observe?.(act);
        }
      } finally {
        await Promise.all([agentA.close?.(), agentB.close?.()]);
      }
      results[k] = { index: i, aPlayer, aReturn: state.returns()[aPlayer], moves };
      onGameEnd?.(++finished, indices.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, indices.length)) }, lane));
  return results;
}

/** Win/draw/loss counts, score and its interval, from A's point of view. */
export function summarizeMatch(games: readonly MatchGame[]): MatchResult {
  let wins = 0;
  let draws = 0;
  let losses = 0;
  for (const r of games) {
    if (r.aReturn > 0) wins++;
    else if (r.aReturn < 0) losses++;
    else draws++;
  }
  return { wins, draws, losses, ...scoreInterval(wins, draws, losses), games: [...games].sort((x, y) => x.index - y.index) };
}

/**
 * Play `games` games of A against B (game numbers 0..games-1; see playMatchGames).
 * `onGameEnd(done, total)` is called as each game finishes (for progress displays).
 */
export async function playMatch(
  game: Game,
  a: AgentFactory,
  b: AgentFactory,
  games: number,
  seed: number,
  concurrency = 8,
  onGameEnd?: (done: number, total: number) => void,
): Promise<MatchResult> {
  return summarizeMatch(await playMatchGames(game, a, b, Array.from({ length: games }, (_, i) => i), seed, concurrency, onGameEnd));
}

/** Wrap an evaluator so concurrent games share net calls. */
export function batched(e: Evaluator, maxBatch = 512): Evaluator {
  return new BatchingEvaluator(e, { maxBatch });
}
