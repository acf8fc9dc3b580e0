import { describe, expect, it } from 'vitest';
import { GtpEngine } from '../../../../src/env/games/go/gtp.ts';
import type { GoState } from '../../../../src/env/games/go/rules.ts';
import type { Analysis, Player } from '../../../../src/players/player.ts';
import { gtpSearchPlayer } from '../../../../src/commands/gtp.ts';

/** A deterministic player: the first legal non-pass move (pass if none). */
const firstLegal: Player = {
  name: 'first legal',
  async chooseMove(position, req = {}) {
    const state = position as GoState;
    const legal = state.legalActions();
    const action = legal.find((a) => a !== state.game.pass) ?? state.game.pass;
    const analysis: Analysis = { candidates: [{ action, visits: 10, q: 0.2, prior: 0.5, pv: [action] }], rootValue: 0.2, totalVisits: 10 };
    req.onAnalysis?.(analysis);
    return { action, resign: false, analysis };
  },
};

async function talk(e: GtpEngine, lines: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const l of lines) out.push(await e.handle(l));
  return out;
}

describe('GTP engine', () => {
  it('answers a script of good and bad lines with correct framing', async () => {
    const e = new GtpEngine({ size: 9, player: firstLegal });
    const r = await talk(e, [
      '1 protocol_version', 'name', '', '   # just a comment', 'foo', '7 foo bar', 'boardsize 4', 'boardsize x',
      'boardsize 9', 'clear_board', 'komi 6.5', 'komi abc', '2 play b D5', 'play b D5', 'play w I5', 'play green D4',
      'play w', 'play w E5\r', 'known_command genmove', 'known_command fly', 'genmove b', 'genmove_analyze w',
      'final_score', 'undo', 'undo', 'pl\x01ay b\tA1 # comment', 'fixed_handicap 2', 'time_settings 10 5 1', 'time_left b 9 0',
    ]);
    expect(r[0]).toBe('=1 2\n\n');
    expect(r[1]).toBe('= tengen\n\n');
    expect(r[2]).toBe('');
    expect(r[3]).toBe('');
    expect(r[4]).toBe('? unknown command\n\n');
    expect(r[5]).toBe('?7 unknown command\n\n');
    expect(r[6]).toMatch(/^\? unacceptable size/);
    expect(r[7]).toMatch(/^\? boardsize must be an integer/);
    expect(r.slice(8, 11)).toEqual(['= \n\n', '= \n\n', '= \n\n']);
    expect(r[11]).toMatch(/^\? komi must be a number/);
    expect(r[12]).toBe('=2 \n\n');
    expect(r[13]).toMatch(/^\? illegal move: .*occupied/);
    expect(r[14]).toMatch(/^\? .*bad vertex 'I5'/);
    expect(r[15]).toMatch(/^\? invalid color/);
    expect(r[16]).toMatch(/^\? syntax error/);
    expect(r[17]).toBe('= \n\n');
    expect(r[18]).toBe('= true\n\n');
    expect(r[19]).toBe('= false\n\n');
    expect(r[20]).toBe('= A9\n\n');
    expect(r[21]).toMatch(/^= \ninfo move B9 visits 10 winrate 6000 prior 5000 order 0 pv B9\nplay B9\n\n$/);
    expect(r[22]).toMatch(/^= W\+/);
    expect(r[23]).toBe('= \n\n');
    expect(e.state.history().length).toBe(3);
    expect(r[25]).toBe('= \n\n'); // control char dropped, tab as space, comment removed
    expect(r[26]).toMatch(/^\? board not empty/);
    expect(r[27]).toBe('= \n\n');
    expect(r[28]).toBe('= \n\n');
    for (const x of r) if (x) expect(x.endsWith('\n\n')).toBe(true);
  });

  it('final_score is Tromp-Taylor and showboard/printsgf describe the game', async () => {
    const e = new GtpEngine({ size: 5, komi: 0.5, player: firstLegal });
    const r = await talk(e, ['play b C3', 'play w pass', 'play b pass', 'final_score', 'showboard', 'printsgf']);
    expect(r[3]).toBe('= B+24.5\n\n');
    expect(r[4]).toContain('X');
    expect(r[5]).toContain('SZ[5]');
    expect(r[5]).toContain('B[cc]');
  });
});

describe('GTP engine robustness', () => {
  it('answers every random line with ? or = (or nothing for blank lines) and keeps working', async () => {
    const e = new GtpEngine({ size: 9, player: firstLegal });
    const words = ['play', 'genmove', 'b', 'w', 'D4', 'pass', 'boardsize', '9', '-1', 'komi', 'nan', 'undo', '#', '\x07', '\r', 'loadsgf', '/nonexistent', 'fixed_handicap', '99', 'time_left', 'set_free_handicap', 'A1', 'A1'];
    let seed = 5;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let i = 0; i < 300; i++) {
      const len = rand(5);
      const line = Array.from({ length: len }, () => words[rand(words.length)]).join(' ');
      const r = await e.handle(line);
      if (r !== '') expect(r).toMatch(/^[=?]\d* [\s\S]*\n\n$/);
    }
    expect(await e.handle('protocol_version')).toBe('= 2\n\n');
  });
});

describe('GTP engine with the default MCTS player', () => {
  it('generates legal moves with a visit or time limit and prints analysis lines', async () => {
    const e = new GtpEngine({ size: 9, visits: 64, player: await gtpSearchPlayer(3, -0.9) });
    const r = await talk(e, ['play b E5', 'genmove w', 'genmove_analyze b']);
    expect(r[1]).toMatch(/^= ([A-HJ][1-9]|pass)\n\n$/);
    expect(r[2]).toMatch(/^= \ninfo move \S+ visits \d+ winrate \d+ prior \d+ order 0 pv /);
    expect(e.state.history().length).toBe(3);
    const t = new GtpEngine({ size: 9, timeMs: 100, player: await gtpSearchPlayer(3, -0.9) });
    const t0 = Date.now();
    expect(await t.handle('genmove b')).toMatch(/^= \S+\n\n$/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('live analysis over a stream (Sabaki / Lizzie)', () => {
  it('lz-analyze streams info lines until the next command, then answers it; genmove_analyze streams then plays', async () => {
    const { PassThrough } = await import('node:stream');
    const { runGtp } = await import('../../../../src/env/games/go/gtp.ts');
    const e = new GtpEngine({ size: 9, visits: 200, player: await gtpSearchPlayer(1, null) });
    const input = new PassThrough();
    let out = '';
    const done = runGtp(e, input, (t) => (out += t));
    input.write('boardsize 9\n7 lz-analyze b 10\n');
    await new Promise((r) => setTimeout(r, 700));
    const during = out;
    input.write('name\ngenmove_analyze b 5\n');
    input.end('quit\n');
    await done;
    // While analysing: the '=' header and at least two info lines, no end of reply yet.
    expect(during).toMatch(/^= \n\n=7\n(info move [A-HJ-T]\d+ visits \d+ winrate \d+ prior \d+ order 0 pv .*\n){2,}/);
    expect(during.endsWith('\n\n')).toBe(false);
    // The next command ended the analysis (blank line) and was answered.
    expect(out).toMatch(/\ninfo move [^\n]*\n\n= tengen\n\n/);
    expect(out).toMatch(/=\n(info move [^\n]*\n)+play ([A-HJ-T]\d+|pass|resign)\n\n= \n\n$/);
  });

  it('refuses bad lz-analyze arguments with a ? reply and carries on', async () => {
    const { PassThrough } = await import('node:stream');
    const { runGtp } = await import('../../../../src/env/games/go/gtp.ts');
    const e = new GtpEngine({ size: 9, visits: 10, player: firstLegal });
    const input = new PassThrough();
    let out = '';
    const done = runGtp(e, input, (t) => (out += t));
    input.end('lz-analyze b fast\ngenmove_analyze\nname\n');
    await done;
    expect(out).toBe("? unexpected argument 'fast' (expected [color] [interval in centiseconds])\n\n? syntax error: expected genmove_analyze <color> [interval]\n\n= tengen\n\n");
  });
});
