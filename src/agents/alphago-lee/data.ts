/**
 * Expert positions for the SL and rollout policies: SGF directories are read, split into train and
 * test sets by game (never by position: positions of one game are correlated), and replayed into
 * (state, expert move) pairs. Feature planes are stored as bytes (they are all 0/1) and turned into
 * floats one mini-batch at a time, with one of the 8 board symmetries applied (as in the paper).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../util/errors.ts';
import { Rng } from '../../util/rng.ts';
import { parseSgf, type SgfGame } from '../../env/games/go/sgf.ts';
import { GoGame, type GoState } from '../../env/games/go/rules.ts';
import { leeFeatures, LEE_PLANES } from '../../env/games/go/features.ts';

export interface ExpertGame {
  path: string;
  sgf: SgfGame;
}

export interface LoadOptions {
  size?: number;
  /** Skip files that do not parse or replay (with a warning) instead of failing. Default true. */
  skipBad?: boolean;
  warn?: (line: string) => void;
}

/** Read every .sgf under the given directories (or single files), keeping games of the board size. */
export function loadExpertGames(paths: string[], o: LoadOptions = {}): ExpertGame[] {
  const size = o.size ?? 9;
  const warn = o.warn ?? ((l: string) => console.warn(l));
  const files: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new UserError(`data: ${p} does not exist (expected a directory of .sgf files or an .sgf file)`);
    if (statSync(p).isDirectory()) {
      for (const f of readdirSync(p).sort()) if (f.toLowerCase().endsWith('.sgf')) files.push(join(p, f));
    } else files.push(p);
  }
  const games: ExpertGame[] = [];
  let bad = 0;
  let otherSize = 0;
  let firstErr = '';
  for (const f of files) {
    try {
      const sgf = parseSgf(readFileSync(f, 'utf8'));
      if (sgf.size !== size) {
        otherSize++;
        continue;
      }
      games.push({ path: f, sgf });
    } catch (e) {
      const msg = `${f}: ${e instanceof Error ? e.message : String(e)}`;
      if (o.skipBad === false) throw new UserError(`data: ${msg}`);
      bad++;
      firstErr ||= msg;
    }
  }
  if (bad > 0) warn(`data: skipped ${bad} unreadable SGF file(s); first: ${firstErr}`);
  if (otherSize > 0) warn(`data: skipped ${otherSize} game(s) not on a ${size}x${size} board`);
  if (games.length === 0) throw new UserError(`data: no ${size}x${size} games found in ${paths.join(', ')}`);
  return games;
}

/** Split games (not positions) into train and test, by a seeded shuffle of the sorted paths. */
export function splitByGame<T extends { path: string }>(games: T[], testFraction: number, seed: number): { train: T[]; test: T[] } {
  if (!(testFraction >= 0 && testFraction < 1)) throw new UserError(`data: test fraction must be in [0, 1), got ${testFraction}`);
  const sorted = [...games].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const rng = new Rng(seed);
  for (let i = sorted.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [sorted[i], sorted[j]] = [sorted[j]!, sorted[i]!];
  }
  const nTest = games.length > 1 ? Math.max(1, Math.round(games.length * testFraction)) : 0;
  return { test: sorted.slice(0, testFraction > 0 ? nTest : 0), train: sorted.slice(testFraction > 0 ? nTest : 0) };
}

/** Replay a game, calling `visit` with the state before each move (board moves only) and the move. */
export function forEachPosition(g: ExpertGame, visit: (s: GoState, action: number) => void): void {
  const sgf = g.sgf;
  const game = new GoGame({ size: sgf.size, komi: sgf.komi, maxMoves: 100_000 });
  const s = game.newInitialState();
  try {
    if (sgf.black.length || sgf.white.length || sgf.toPlay !== 0) s.setup(sgf.black, sgf.white, sgf.toPlay);
    for (const m of sgf.moves) {
      if (s.isTerminal()) s.resumeAfterPasses();
      if (m.color !== s.nextColor()) s.applyAction(game.pass);
      if (!s.isLegal(m.action)) return; // the rest of an illegal game is not used
      if (m.action !== game.pass) visit(s, m.action);
      s.applyAction(m.action);
    }
  } catch {
    // a setup or replay error ends this game's positions
  }
}

/** Expert positions with their feature planes as bytes. */
export interface PositionSet {
  n: number;
  size: number;
  planes: number;
  /** n * size * size * planes bytes (0/1), channels-last. */
  features: Uint8Array;
  /** Expert move (action index r * size + c) per position. */
  actions: Int32Array;
}

/** Feature planes of every expert move of the games. */
export function buildPositions(games: ExpertGame[], size = 9): PositionSet {
  const P = LEE_PLANES;
  const per = size * size * P;
  const feats: Uint8Array[] = [];
  const acts: number[] = [];
  for (const g of games) {
    forEachPosition(g, (s, a) => {
      const f = leeFeatures(s, s.nextColor());
      const u = new Uint8Array(per);
      for (let i = 0; i < per; i++) u[i] = f[i]!;
      feats.push(u);
      acts.push(a);
    });
  }
  const features = new Uint8Array(feats.length * per);
  feats.forEach((f, i) => features.set(f, i * per));
  return { n: acts.length, size, planes: P, features, actions: Int32Array.from(acts) };
}

/** perm[sym][a]: where point a goes under symmetry sym (0 = identity; 8 dihedral symmetries). */
export function symmetryTables(size: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let sym = 0; sym < 8; sym++) {
    const t = new Int32Array(size * size);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        let rr = r;
        let cc = c;
        if (sym & 1) cc = size - 1 - cc;
        if (sym & 2) rr = size - 1 - rr;
        if (sym & 4) [rr, cc] = [cc, rr];
        t[r * size + c] = rr * size + cc;
      }
    }
    out.push(t);
  }
  return out;
}

/**
 * Fill `x` (batch * size * size * planes floats) and `y` (batch labels) from positions `idx`,
 * each with symmetry syms[i] (0 when omitted).
 */
export function fillBatch(set: PositionSet, idx: ArrayLike<number>, x: Float32Array, y: Int32Array, perms: Int32Array[], syms?: ArrayLike<number>): void {
  const nn = set.size * set.size;
  const P = set.planes;
  const per = nn * P;
  for (let i = 0; i < idx.length; i++) {
    const src = idx[i]! * per;
    const perm = perms[syms ? syms[i]! : 0]!;
    const dst = i * per;
    for (let a = 0; a < nn; a++) {
      const to = dst + perm[a]! * P;
      const from = src + a * P;
      for (let k = 0; k < P; k++) x[to + k] = set.features[from + k]!;
    }
    y[i] = perm[set.actions[idx[i]!]!]!;
  }
}
