import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoGame, parseVertex, type GoState } from '../../../src/env/games/go/rules.ts';
import { writeSgf } from '../../../src/env/games/go/sgf.ts';
import { Rng } from '../../../src/util/rng.ts';

export function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `lee-${prefix}-`));
}

/** A position from moves ('pass' allowed). */
export function position(moves: string[], size = 9): GoState {
  const g = new GoGame({ size, encoding: 'lee' });
  const s = g.newInitialState();
  for (const m of moves) s.applyAction(m === 'pass' ? g.pass : parseVertex(size, m));
  return s;
}

/**
 * Write `n` short 9x9 "expert" games to a fresh directory: random non-edge opening moves that prefer
 * points next to the previous move (so there is a pattern to learn), ending after `len` moves.
 */
export function writeToyGames(n: number, len: number, seed: number): string {
  const dir = tmp('sgf');
  mkdirSync(dir, { recursive: true });
  const rng = new Rng(seed);
  for (let i = 0; i < n; i++) {
    const g = new GoGame({ size: 9 });
    const s = g.newInitialState();
    let last = 40;
    for (let k = 0; k < len && !s.isTerminal(); k++) {
      const legal = s.legalActions().filter((a) => a !== g.pass);
      const near = legal.filter((a) => Math.abs((a % 9) - (last % 9)) + Math.abs(Math.floor(a / 9) - Math.floor(last / 9)) === 1);
      const pool = near.length > 0 && rng.nextDouble() < 0.8 ? near : legal;
      if (pool.length === 0) break;
      last = pool[rng.int(pool.length)]!;
      s.applyAction(last);
    }
    writeFileSync(join(dir, `toy-${i}.sgf`), writeSgf(s, { result: i % 2 ? 'B+R' : 'W+R' }));
  }
  return dir;
}
