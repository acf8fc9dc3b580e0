/**
 * `tengen arena --a <agent> --b <agent> --game G --games N`: a match with alternating colours,
 * reported as W/D/L for A with the 95% confidence interval of A's score and the implied Elo gap.
 * Agents: checkpoint:DIR, shipped (the net under models/ for the game), mcts:N, solver, random, gtp:"cmd" (an external GTP engine, Go).
 */
import type { Command } from 'commander';
import { UserError } from '../util/errors.ts';
import { optionalNumberFlag } from '../util/flags.ts';
import { makeGame } from '../agents/alphazero/games.ts';
import { parsePlayerSpec } from '../players/spec.ts';
import { playMatch } from '../players/match.ts';
import { describeMatch, matchEstimate } from '../util/elo.ts';

interface Flags {
  a: string;
  b: string;
  game: string;
  games?: string;
  visits?: string;
  params?: string;
  seed?: string;
  backend?: string;
}

/**
 * Play the match and print the result to `out`; `progress` gets a line as each game ends (stderr by
 * default), so a long match shows it is moving.
 */
export async function runArena(
  f: Flags,
  out: (s: string) => void = (s) => process.stdout.write(s),
  progress: (s: string) => void = (s) => process.stderr.write(s),
): Promise<void> {
  let params: Record<string, unknown> = {};
  if (f.params) {
    try {
      params = JSON.parse(f.params) as Record<string, unknown>;
    } catch {
      throw new UserError(`--params '${f.params}' is not valid JSON (expected e.g. '{"size":9}')`);
    }
  }
  const game = makeGame(f.game, params);
  const games = optionalNumberFlag('--games', f.games, { min: 1, integer: true }) ?? 20;
  const visits = optionalNumberFlag('--visits', f.visits, { min: 1, integer: true }) ?? 100;
  const seed = f.seed === undefined ? 1 : Number(f.seed);
  if (!Number.isFinite(seed)) throw new UserError(`--seed must be a number, got '${f.seed}'`);
  // A net player starts the tensor backend when it loads its net (openNet).
  const o = { visits, cPuct: 1.5, temperatureMoves: 2, backend: f.backend };
  const a = await parsePlayerSpec(f.a, game, o);
  const b = await parsePlayerSpec(f.b, game, o);
  try {
    const t0 = performance.now();
    const r = await playMatch(game, a.factory, b.factory, games, seed, 8, (done, total) =>
      progress(`arena: ${done}/${total} games done, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`));
    const secs = (performance.now() - t0) / 1000;
    out(`${game.name}: ${a.name} vs ${b.name}, ${games} games (colours alternate), ${secs.toFixed(1)} s\n`);
    out(`A wins ${r.wins}, draws ${r.draws}, losses ${r.losses}; ${describeMatch(matchEstimate(r.wins, r.draws, r.losses))}\n`);
  } finally {
    a.dispose();
    b.dispose();
  }
}


export function register(program: Command): void {
  program
    .command('arena')
    .description('play two agents against each other (colours alternate) and report W/D/L with a 95% confidence interval')
    .requiredOption('--a <agent>', 'agent A: checkpoint:DIR, shipped (the net that ships for the game), mcts:N, solver, random, gtp:COMMAND (Go)')
    .requiredOption('--b <agent>', 'agent B (same forms as --a)')
    .requiredOption('--game <name>', 'game: tictactoe, connect4, othello, gomoku, go')
    .option('--games <n>', 'games to play (default 20)')
    .option('--visits <n>', 'MCTS visits per move for checkpoint agents (default 100)')
    .option('--params <json>', 'game parameters, e.g. \'{"size":9}\'')
    .option('--seed <s>', 'match seed (default 1)')
    .action(async (opts: Flags, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as { backend?: string };
      await runArena({ ...opts, backend: globals.backend });
    });
}
