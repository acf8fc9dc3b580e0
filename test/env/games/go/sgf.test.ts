import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSgf, parseSgf, writeSgf } from '../../../../src/env/games/go/sgf.ts';
import { GoGame, parseVertex } from '../../../../src/env/games/go/rules.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const dataDir = join(root, '../shared/data/go/gnugo_regression_9x9_games');
const haveData = existsSync(dataDir);
if (!haveData) console.log(`skipping SGF regression replay: ${dataDir} not found`);

describe('SGF', () => {
  it.skipIf(!haveData)('replays every GNU Go regression 9x9 game without an illegal move', () => {
    const files = readdirSync(dataDir).filter((f) => f.endsWith('.sgf'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const text = readFileSync(join(dataDir, f), 'utf8');
      const g = parseSgf(text);
      const s = loadSgf(text);
      expect(s.game.n).toBe(g.size);
      // Each SGF move is one action (plus a pass where a colour moved twice).
      expect(s.history().filter((a) => a !== s.game.pass).length).toBe(g.moves.filter((m) => m.action !== s.game.pass).length);
    }
  });

  it('reports syntax errors with line and column', () => {
    expect(() => parseSgf('(;FF[4]SZ[9]\n;B[ee]\n;W[dd')).toThrow(/line 3, column 3: unterminated/);
    expect(() => parseSgf('hello')).toThrow(/line 1, column 1/);
    expect(() => parseSgf('(;FF[4]SZ[9];B[ee]')).toThrow(/unclosed/);
    expect(() => parseSgf('(;FF[4]\nSZ[9]\n;B[ee]XX;W[dd])')).toThrow(/line 3, column 9: property without a value/);
  });

  it('names bad coordinates and illegal moves by move number', () => {
    expect(() => loadSgf('(;FF[4]SZ[9];B[ee];W[zz])')).toThrow(/move 2.*'zz'/);
    expect(() => loadSgf('(;FF[4]SZ[9];B[ee];W[ee])')).toThrow(/move 2 \(W E5\) is illegal \(E5 is occupied\)/);
  });

  it('reads setup stones, komi, PL and the main line; writes and re-reads a game', () => {
    const s = loadSgf('(;FF[4]GM[1]SZ[9]KM[6.5]AB[cc][gg]PL[W];W[ee](;B[dd];W[ff])(;B[aa]))');
    expect(s.komi).toBe(6.5);
    expect(s.setupStones().black.length).toBe(2);
    expect(s.history().map((a) => s.actionToString(a))).toEqual(['E5', 'D6', 'F4']);
    const g = new GoGame({ size: 9, komi: 7.5 });
    const t = g.newInitialState();
    for (const v of ['E5', 'D4', 'pass', 'pass']) t.applyAction(parseVertex(9, v));
    const text = writeSgf(t, { comments: ['winrate 55%', undefined, 'pass', 'end'] });
    expect(text).toContain('RE[W+7.5]');
    expect(text).toContain('KM[7.5]');
    expect(text).toContain('C[winrate 55%]');
    const back = loadSgf(text);
    expect(back.history()).toEqual(t.history());
    expect(back.result()).toBe(t.result());
    expect(parseSgf(text).result).toBe(t.result());
  });
});
