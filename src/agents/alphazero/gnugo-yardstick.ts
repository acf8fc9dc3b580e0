/**
 * The Go yardstick of the self-play issue: each generation's net, searching as `tengen gtp
 * --model` does, plays GNU Go (level 1 by default) through `runMatch`, the engine of `tengen match`,
 * colours alternating. A game that ends by passes is scored by GNU Go's final_score, which removes
 * dead stones (a Tromp-Taylor count takes our dead stones in GNU Go's area as alive, and would call
 * some lost games won). Games are saved as SGF under the run directory. Where GNU Go is not
 * installed the yardstick is skipped with one log line.
 */
import { spawnSync } from 'node:child_process';
import { packagePath } from '../../util/paths.ts';
import { gnugoPath, runMatch, shellQuote } from '../../env/games/go/match.ts';
import type { StrengthResult } from './strength.ts';

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
