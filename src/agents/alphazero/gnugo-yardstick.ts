/**
 * The Go yardstick of the self-play issue: each generation's net, searching as `tengen gtp
 * --model` does, plays GNU Go (level 1 by default) through `runMatch`, the engine of `tengen match`,
 * colours alternating. A game that ends by passes is scored by GNU Go's final_score, which removes
 * dead stones (a Tromp-Taylor count takes our dead stones in GNU Go's area as alive, and would call
 * some lost games won). Games are saved as SGF under the run directory. Where GNU Go is not
 * installed the yardstick is skipped with one log line.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packagePath } from '../../util/paths.ts';
import { gnugoPath, runMatch, shellQuote } from '../../env/games/go/match.ts';
import type { GoGame } from '../../env/games/go/rules.ts';
import { evalSims } from './config.ts';
import { generationName } from './checkpoint.ts';
import type { StrengthResult } from './strength.ts';
import type { OutsideYardstick } from './yardsticks.ts';

let available: boolean | null = null;

/** Whether a GNU Go binary answers here (checked once). */
export function gnugoAvailable(): boolean {
  available ??= spawnSync(gnugoPath(), ['--version'], { stdio: 'ignore' }).status === 0;
  return available;
}

export interface GnugoYardstickOptions {
  /** A saved net (models/gen-N of a run). */
  modelDir: string;
  size: number;
  komi: number;
  games: number;
  level: number;
  /** PUCT simulations per move for our side. */
  visits: number;
  backend?: string;
  sgfDir: string;
  log?: (line: string) => void;
  onGame?: (done: number, total: number) => void;
}

export async function gnugoYardstick(o: GnugoYardstickOptions): Promise<StrengthResult> {
  const bin = packagePath('bin', 'tengen.js');
  const ours = [process.execPath, bin, ...(o.backend ? ['--backend', o.backend] : []), 'gtp', '--model', o.modelDir, '--visits', String(o.visits), '--size', String(o.size), '--komi', String(o.komi)]
    .map(shellQuote)
    .join(' ');
  const gnugo = `${shellQuote(gnugoPath())} --mode gtp --level ${o.level} --chinese-rules`;
  let done = 0;
  const s = await runMatch({
    black: ours, white: gnugo, referee: 1, games: o.games, size: o.size, komi: o.komi, sgfDir: o.sgfDir,
    log: (line) => {
      if (/^game \d+\/\d+:/.test(line)) o.onGame?.(++done, o.games);
      o.log?.(line);
    },
  });
  const losses = s.wins[1];
  return { opponent: `gnugo-${o.level}`, wins: s.wins[0], draws: s.draws, losses, score: (s.wins[0] + s.draws / 2) / Math.max(1, s.games.length) };
}

let warnedMissing = false;

/**
 * The pipeline's Go yardstick (config.gnugoGames games at config.gnugoLevel per generation). Where
 * GNU Go is missing it says so once and is skipped; a failure is said and does not stop training.
 */
export const gnugoGenerationYardstick: OutsideYardstick = async (ctx) => {
  const c = ctx.config;
  if (c.gnugoGames <= 0) return null;
  if (!gnugoAvailable()) {
    if (!warnedMissing) ctx.log('GNU Go is not installed: the per-generation GNU Go yardstick is skipped (apt-get install gnugo)');
    warnedMissing = true;
    return null;
  }
  const go = ctx.game as GoGame;
  const opponent = `gnugo-${c.gnugoLevel}`;
  try {
    return await gnugoYardstick({
      modelDir: ctx.modelDir, size: go.n, komi: go.params.komi, games: c.gnugoGames, level: c.gnugoLevel, visits: evalSims(c),
      ...(ctx.backend !== undefined ? { backend: ctx.backend } : {}), sgfDir: join(ctx.runDir, 'gnugo', generationName(ctx.generation)),
      onGame: (done, total) => ctx.onGame(opponent, done, total),
    });
  } catch (e) {
    // A yardstick must not stop training: say why and go on.
    ctx.log(`gen ${ctx.generation}: the GNU Go yardstick failed: ${(e as Error).message}`);
    return null;
  }
};
