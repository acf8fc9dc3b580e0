/**
 * `tengen solve connect4|tictactoe`: exact game values.
 *
 *   tengen solve connect4 --moves 4455            -> "4455 18"
 *   tengen solve connect4 < Test_L3_R1            -> "<moves> <score>" per input line
 *   tengen solve connect4 --columns --moves 4455  -> also the score of each column ('-' = full)
 *   tengen solve tictactoe --moves 159            -> value for the side to move and its optimal cells
 *
 * Input lines are `<moves> [anything]` (Pascal Pons' test-set format; the rest of the line is
 * ignored). A malformed line gets one error line on stderr naming the line number and what was
 * expected, and the run carries on; if any line failed the command exits with status 1.
 */
import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { LinesFailedError, UserError } from '../util/errors.ts';
import { connect4FromMoves } from '../env/games/connect4.ts';
import { Connect4Solver } from '../env/solvers/connect4.ts';
import { tictactoeFromMoves, tictactoeOptimalMoves, tictactoeValue } from '../env/solvers/tictactoe.ts';

export type SolveGame = 'connect4' | 'tictactoe';

export interface SolveOptions {
  /** Also print the score of every column (Connect Four) or the optimal cells (tic-tac-toe). */
  columns?: boolean;
  /** Transposition table size, log2 of the number of entries. */
  tableLog2?: number;
}

/** Solves one position per call, reusing one solver (the table is cleared between positions). */
export function makeLineSolver(game: SolveGame, opts: SolveOptions = {}): (moves: string) => string {
  if (game === 'connect4') {
    const solver = new Connect4Solver(opts.tableLog2);
    return (moves) => {
      const state = connect4FromMoves(moves);
      if (state.isTerminal()) throw new UserError(`the game is already over after these moves (${state.winnerText()}); expected an unfinished game`);
      solver.reset();
      const score = solver.solve(state);
      if (!opts.columns) return `${moves} ${score}`;
      solver.reset();
      const cols = solver.scores(state).map((v) => (v === null ? '-' : String(v)));
      return `${moves} ${score} ${cols.join(' ')}`;
    };
  }
  return (moves) => {
    const state = tictactoeFromMoves(moves);
    if (state.isTerminal()) throw new UserError('the game is already over after these moves; expected an unfinished game');
    const value = tictactoeValue(state);
    if (!opts.columns) return `${moves} ${value}`;
    const best = tictactoeOptimalMoves(state).map((a) => a + 1);
    return `${moves} ${value} ${best.join('')}`;
  };
}

/**
 * Solve every line of `input`, writing `<moves> <score>` lines to `out` and one error line per
 * malformed input line to `err`. Blank lines are skipped. Returns the counts.
 */
export async function solveStream(
  game: SolveGame,
  input: Readable,
  out: Writable,
  err: Writable,
  opts: SolveOptions = {},
): Promise<{ total: number; failed: number }> {
  const solveLine = makeLineSolver(game, opts);
  const rl = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let total = 0;
  let failed = 0;
  for await (const raw of rl) {
    lineNo++;
    const moves = raw.trim().split(/\s+/)[0] ?? '';
    if (moves === '') continue;
    total++;
    try {
      out.write(solveLine(moves) + '\n');
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      failed++;
      err.write(`tengen solve: line ${lineNo}: '${moves}': ${e.message}\n`);
    }
  }
  return { total, failed };
}

export function register(program: Command): void {
  program
    .command('solve')
    .description('exact values: Connect Four scores (Pons convention) or tic-tac-toe minimax values')
    .argument('<game>', 'connect4 or tictactoe')
    .option('--moves <moves>', 'solve this one position (Connect Four: columns 1..7; tic-tac-toe: cells 1..9); else read lines from stdin')
    .option('--columns', 'also print the score of each column (connect4) or the optimal cells (tictactoe)')
    .action(async (game: string, options: { moves?: string; columns?: boolean }) => {
      if (game !== 'connect4' && game !== 'tictactoe') throw new UserError(`solve: unknown game '${game}'; expected connect4 or tictactoe`);
      const opts: SolveOptions = { columns: options.columns === true };
      if (options.moves !== undefined) {
        try {
          process.stdout.write(makeLineSolver(game, opts)(options.moves.trim()) + '\n');
        } catch (e) {
          if (e instanceof UserError) throw new UserError(`solve: --moves '${options.moves}': ${e.message}`);
          throw e;
        }
        return;
      }
      const { total, failed } = await solveStream(game, process.stdin, process.stdout, process.stderr, opts);
      if (failed > 0) throw new LinesFailedError(failed, total);
    });
}
