import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { GtpEngine, runGtp } from '../../src/env/games/go/gtp.ts';
import { goEnginePlayer } from '../../src/players/go-engine.ts';
import type { Player } from '../../src/players/player.ts';

const players: Player[] = [];
afterAll(async () => {
  for (const p of players) await p.close?.();
});

function engine(visits = 1500): GtpEngine {
  const player = goEnginePlayer({ resignWinrate: null })(5);
  players.push(player);
  return new GtpEngine({ size: 9, visits, player });
}

/** A finished 7x7 game as SGF: Black owns columns A-D, White E-G, a dead white stone at B4. */
function finishedGame(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tengen-gtp-'));
  const rows = ['.X.XO..', 'XXXXO..', '...XO..', '.O.XOOO', '...XO..', 'XXXXOO.', '...XO..'];
  const b: string[] = [];
  const w: string[] = [];
  const sgf = (r: number, c: number): string => String.fromCharCode(97 + c) + String.fromCharCode(97 + r);
  rows.forEach((row, r) => [...row].forEach((ch, c) => {
    if (ch === 'X') b.push(`[${sgf(r, c)}]`);
    if (ch === 'O') w.push(`[${sgf(r, c)}]`);
  }));
  const path = join(dir, 'end.sgf');
  writeFileSync(path, `(;GM[1]FF[4]SZ[7]KM[0.5]AB${b.join('')}AW${w.join('')};B[];W[])`);
  return path;
}

describe('GTP with the Go engine: dead stones, score and KataGo analysis', () => {
  it('final_status_list names the dead stone and final_score removes it', async () => {
    const e = engine();
    expect(await e.handle(`loadsgf ${finishedGame()}`)).toBe('= \n\n');
    expect(await e.handle('final_status_list dead')).toBe('= B4\n\n');
    expect(await e.handle('final_status_list seki')).toBe('= \n\n');
    const alive = (await e.handle('final_status_list alive')).trim().slice(2).split(' ');
    expect(alive).toContain('D4');
    expect(alive).toContain('E4');
    expect(alive).not.toContain('B4');
    // Black: A-D (28 points with the dead stone's), White: E-G (21), komi 0.5. Tromp-Taylor would not give B the dead stone's region.
    expect(await e.handle('final_score')).toBe('= B+6.5\n\n');
    expect(await e.handle('final_status_list living')).toMatch(/^\? syntax error: expected final_status_list alive\|dead\|seki/);
  });

  it('kata-analyze streams KataGo info lines with score leads and the ownership map until the next command', async () => {
    const e = engine(400);
    const input = new PassThrough();
    let out = '';
    const done = runGtp(e, input, (t) => (out += t));
    input.write('boardsize 9\nplay b E5\n3 kata-analyze w 20 ownership true\n');
    await new Promise((r) => setTimeout(r, 1200));
    const during = out;
    input.end('name\nkata-analyze w fast\nquit\n');
    await done;
    const lines = during.split('\n').filter((l) => l.startsWith('info move'));
    expect(during).toMatch(/^= \n\n= \n\n=3\n/);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const first = lines[0]!;
    expect(first).toMatch(/^info move [A-HJ-T]\d visits \d+ utility -?[\d.]+ winrate (0|1|0\.\d+) scoreMean -?[\d.]+ scoreLead -?[\d.]+ prior [\d.]+ lcb [\d.]+ order 0 pv [A-HJ-T]\d/);
    const own = first.slice(first.indexOf(' ownership ') + 11).trim().split(' ').map(Number);
    expect(own).toHaveLength(81);
    expect(own.every((x) => x >= -1 && x <= 1)).toBe(true);
    // From White's view (White to move): Black's stone at E5 is Black's.
    expect(own[4 * 9 + 4]).toBeLessThan(-0.5);
    expect(out).toMatch(/\n\n= tengen\n\n\? unexpected argument 'fast'/);
  });
});
