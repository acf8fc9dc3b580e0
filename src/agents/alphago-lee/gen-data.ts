/**
 * Expert data for the AlphaGo Lee pipeline: GNU Go plays itself over GTP (AlphaGo learned from KGS
 * games; here GNU Go is the expert). Each game starts with a few random opening moves (seeded), then
 * GNU Go plays both colours with `set_random_seed` set per game, until two passes or a move cap; the
 * result is GNU Go's own `final_score` (it removes dead stones, which Tromp-Taylor would not).
 *
 * Games are written one SGF per game (atomically) as game-00001.sgf, ...; a run that is interrupted
 * resumes by skipping the files already written.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../util/errors.ts';
import { writeFileAtomic } from '../../util/fs.ts';
import { Rng } from '../../util/rng.ts';
import { GoGame } from '../../env/games/go/rules.ts';
import { writeSgf } from '../../env/games/go/sgf.ts';
import { GtpClient, gnugoPath, normScore } from '../../env/games/go/match.ts';

export { gnugoPath };

export interface GenDataOptions {
  /** Games to have in `out` when done (existing game files count). */
  games: number;
  /** GNU Go --level (0..10). */
  level: number;
  out: string;
  seed?: number;
  size?: number;
  komi?: number;
  /** Random opening moves per game: uniform in 0..openingMoves (default 4). */
  openingMoves?: number;
  /** Stop after this many minutes (the games written so far stay). */
  minutes?: number;
  /** Command line of the engine (default: gnugo --mode gtp --level L --chinese-rules). */
  engine?: string;
  log?: (line: string) => void;
}

export interface GenDataSummary {
  written: number;
  total: number;
  seconds: number;
  secondsPerGame: number;
  moves: number;
}

const gameFile = (i: number): string => `game-${String(i).padStart(5, '0')}.sgf`;

/** Play GNU Go self-play games into `out` (resumable). */
export async function genData(o: GenDataOptions): Promise<GenDataSummary> {
  if (!Number.isInteger(o.games) || o.games < 1) throw new UserError(`gen-data: --games must be a positive integer, got ${o.games}`);
  if (!Number.isInteger(o.level) || o.level < 0 || o.level > 10) throw new UserError(`gen-data: --level must be an integer 0..10, got ${o.level}`);
  const size = o.size ?? 9;
  const komi = o.komi ?? 7.5;
  const seed = o.seed ?? 1;
  const log = o.log ?? ((l: string) => console.log(l));
  mkdirSync(o.out, { recursive: true });
  const have = new Set(readdirSync(o.out).filter((f) => /^game-\d{5}\.sgf$/.test(f)));
  const engineCmd = o.engine ?? `${gnugoPath()} --mode gtp --level ${o.level} --chinese-rules`;
  const t0 = Date.now();
  let written = 0;
  let moves = 0;
  const todo: number[] = [];
  for (let i = 1; i <= o.games; i++) if (!have.has(gameFile(i))) todo.push(i);
  if (todo.length === 0) return { written: 0, total: have.size, seconds: 0, secondsPerGame: 0, moves: 0 };
  const gtp = new GtpClient('gnugo', engineCmd);
  try {
    await gtp.send('name');
    for (const i of todo) {
      if (o.minutes !== undefined && (Date.now() - t0) / 60000 > o.minutes) {
        log(`gen-data: time limit (${o.minutes} min) reached`);
        break;
      }
      // Per-game seed: the same game index always gives the same opening, whatever was resumed.
      const rng = new Rng(seed * 1_000_003 + i);
      const game = new GoGame({ size, komi, maxMoves: 100_000 });
      const s = game.newInitialState();
      await gtp.send(`boardsize ${size}`);
      await gtp.send('clear_board');
      await gtp.send(`komi ${komi}`);
      await gtp.send(`set_random_seed ${rng.int(1_000_000)}`);
      const opening = rng.int((o.openingMoves ?? 4) + 1);
      for (let k = 0; k < opening; k++) {
        // A random point away from the first line (opening moves on the edge are not go).
        const cands = s.legalActions().filter((a) => {
          if (a === game.pass) return false;
          const r = Math.floor(a / size);
          const c = a % size;
          return r > 0 && c > 0 && r < size - 1 && c < size - 1;
        });
        if (cands.length === 0) break;
        const a = cands[rng.int(cands.length)]!;
        const color = s.nextColor() === 0 ? 'black' : 'white';
        s.applyAction(a);
        await gtp.send(`play ${color} ${s.actionToString(a)}`);
      }
      let illegal = false;
      const cap = size * size * 3;
      while (!s.isTerminal() && s.history().length < cap) {
        const color = s.nextColor() === 0 ? 'black' : 'white';
        const reply = (await gtp.send(`genmove ${color}`)).toLowerCase();
        if (reply === 'resign') {
          s.resign(s.nextColor());
          break;
        }
        const a = s.stringToAction(reply);
        if (!s.isLegal(a)) {
          // GNU Go knows simple ko only; a superko repetition ends the game here.
          illegal = true;
          break;
        }
        s.applyAction(a);
      }
      let result = s.result();
      if (s.resignedPlayer() === -1) {
        result = normScore(await gtp.send('final_score'));
        if (result === '') result = s.isTerminal() ? s.result() : '';
      }
      moves += s.history().length;
      writeFileAtomic(join(o.out, gameFile(i)), writeSgf(s, {
        playerBlack: `GNU Go level ${o.level}`, playerWhite: `GNU Go level ${o.level}`, result,
        rules: 'Chinese', date: new Date().toISOString().slice(0, 10),
      }));
      written++;
      const el = (Date.now() - t0) / 1000;
      if (written % 10 === 0 || written === todo.length) {
        log(`gen-data: ${have.size + written}/${o.games} games, ${(el / written).toFixed(2)} s/game${illegal ? ' (last game ended on a superko repetition)' : ''}`);
      }
    }
  } finally {
    await gtp.close();
  }
  const seconds = (Date.now() - t0) / 1000;
  return { written, total: have.size + written, seconds, secondsPerGame: written ? seconds / written : 0, moves };
}
