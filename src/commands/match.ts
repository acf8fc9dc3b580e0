/**
 * `tengen match --black "<cmd>" --white "<cmd>" --games N --size 9 --komi 7.5 [--visits N | --time S] [--sgf-dir DIR]`:
 * a match between two GTP engines (colours alternate: engine A = --black plays Black in odd games).
 * --visits N is appended to engine commands that run `tengen gtp` / `cli.ts gtp` without their own
 * --visits; --time S is sent to both engines as time_settings (S seconds per move).
 * SGFs go to --sgf-dir, by default runs/match/<date>-<time> (said at the start).
 * --referee A|B scores games that end by passes with that engine's final_score (GNU Go removes dead
 * stones; our default Tromp-Taylor count takes every stone on the board as alive).
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../util/errors.ts';
import { numberFlag } from '../util/flags.ts';
import { stampedDir } from '../util/fs.ts';
import { runMatch } from '../env/games/go/match.ts';

interface MatchCliOptions {
  black?: string;
  white?: string;
  games: string;
  size: string;
  komi: string;
  visits?: string;
  time?: string;
  sgfDir?: string;
  referee: string;
}

function withVisits(cmd: string, visits: number | undefined): string {
  if (visits === undefined || !/(tengen|cli\.ts)\s+gtp\b/.test(cmd) || /--visits\b/.test(cmd)) return cmd;
  return `${cmd} --visits ${visits}`;
}

export function register(program: Command): void {
  program
    .command('match')
    .description('play a match between two GTP Go engines, write SGFs, report win rate and Elo')
    .requiredOption('--black <cmd>', 'command line of engine A (Black in game 1)')
    .requiredOption('--white <cmd>', 'command line of engine B (White in game 1)')
    .option('--games <n>', 'number of games', '10')
    .option('--size <n>', 'board size 5..19', '9')
    .option('--komi <k>', 'komi', '7.5')
    .option('--visits <n>', 'visits per move for tengen gtp engines')
    .option('--time <s>', 'seconds per move (sent as time_settings)')
    .option('--sgf-dir <dir>', 'where to write the games (default runs/match/<date>-<time>)')
    .option('--referee <who>', "who scores games ended by passes: tromp-taylor, or engine A's / B's final_score", 'tromp-taylor')
    .action(async (o: MatchCliOptions) => {
      if (!o.black?.trim() || !o.white?.trim()) throw new UserError('--black and --white must be engine command lines');
      const referees: Record<string, 0 | 1 | undefined> = { 'tromp-taylor': undefined, a: 0, b: 1 };
      const who = o.referee.toLowerCase();
      if (!(who in referees)) throw new UserError(`--referee must be tromp-taylor, A or B, got '${o.referee}'`);
      // Under the runs/ folder that holds every run's output (ignored by git), not the current directory's top.
      const sgfDir = o.sgfDir ?? stampedDir(join('runs', 'match'));
      process.stdout.write(`tengen match: the games are saved as SGF in ${sgfDir}\n`);
      const visits = o.visits !== undefined ? numberFlag('--visits', o.visits, { min: 1, max: 1e8, integer: true }) : undefined;
      const s = await runMatch({
        black: withVisits(o.black, visits),
        white: withVisits(o.white, visits),
        games: numberFlag('--games', o.games, { min: 1, max: 100000, integer: true }),
        size: numberFlag('--size', o.size, { min: 5, max: 19, integer: true }),
        komi: numberFlag('--komi', o.komi, { min: -1000, max: 1000, integer: false }),
        timeS: o.time !== undefined ? numberFlag('--time', o.time, { min: 0.01, max: 86400, integer: false }) : undefined,
        sgfDir,
        referee: referees[who],
      });
      void s;
    });
}
