import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GtpClient, eloFromScore, normScore, runMatch, wilson } from '../../../../src/env/games/go/match.ts';
import { GoGame } from '../../../../src/env/games/go/rules.ts';
import { loadSgf } from '../../../../src/env/games/go/sgf.ts';
import { Rng } from '../../../../src/util/rng.ts';

const gnugo = ['/usr/games/gnugo', '/usr/bin/gnugo', '/usr/local/bin/gnugo'].find((p) => existsSync(p));
if (!gnugo) console.log('skipping GNU Go comparisons: gnugo is not installed (apt-get install gnugo)');

describe('match statistics', () => {
  it('Wilson interval and Elo', () => {
    const [lo, hi] = wilson(5, 10);
    expect(lo).toBeCloseTo(0.2366, 3);
    expect(hi).toBeCloseTo(0.7634, 3);
    expect(eloFromScore(0.5)).toBeCloseTo(0, 6);
    expect(eloFromScore(0.75)).toBeCloseTo(190.85, 1);
    expect(normScore('B+3.0')).toBe('B+3');
    expect(normScore('w+resign')).toBe('W+R');
    expect(normScore('0')).toBe('0');
    expect(normScore('junk')).toBe('');
  });
});

describe.skipIf(!gnugo)('against GNU Go', () => {
  it('our Tromp-Taylor final_score agrees with GNU Go on played-out games', async () => {
    const rng = new Rng(11);
    const g = new GoGame({ size: 9, komi: 7.5 });
    const client = new GtpClient('gnugo', `${gnugo} --mode gtp --chinese-rules --level 0`);
    try {
      for (let k = 0; k < 4; k++) {
        const s = g.newInitialState();
        // Random play that never fills its own eye, to the end (as a playout does).
        while (!s.isTerminal() && s.history().length < 400) {
          const col = s.nextColor() + 1;
          const moves = s.legalActions().filter((a) => a !== g.pass && !s.board.isEye(s.board.fromAction(a), col));
          s.applyAction(moves.length ? moves[rng.int(moves.length)]! : g.pass);
        }
        expect(s.isTerminal()).toBe(true);
        await client.send('boardsize 9');
        await client.send('clear_board');
        await client.send('komi 7.5');
        let color = 0;
        for (const a of s.history()) {
          await client.send(`play ${color === 0 ? 'b' : 'w'} ${s.actionToString(a)}`);
          color = 1 - color;
        }
        expect(normScore(await client.send('final_score'))).toBe(normScore(s.result()));
      }
    } finally {
      await client.close();
    }
  }, 60_000);

  it('runs a match, writes SGFs and reports an engine that refuses a command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tengen-match-'));
    const lines: string[] = [];
    const s = await runMatch({
      black: `${gnugo} --mode gtp --level 0`, white: `${gnugo} --mode gtp --level 0 --chinese-rules`,
      games: 2, size: 5, komi: 0.5, sgfDir: dir, log: (l) => lines.push(l),
    });
    expect(s.games.length).toBe(2);
    expect(s.wins[0] + s.wins[1] + s.draws).toBe(2);
    const files = readdirSync(dir).filter((f) => f.endsWith('.sgf'));
    expect(files.length).toBe(2);
    for (const f of files) expect(() => loadSgf(readFileSync(join(dir, f), 'utf8'))).not.toThrow();
    expect(lines.at(-1)).toMatch(/win rate .*95% CI.*Elo/);
    await expect(runMatch({ black: 'sh -c "exit 3"', white: `${gnugo} --mode gtp`, games: 1, size: 9, komi: 7.5, sgfDir: dir, log: () => undefined }))
      .rejects.toThrow(/engine A .*exited/);
    const c = new GtpClient('gnugo', `${gnugo} --mode gtp`);
    await expect(c.send('play b Z99')).rejects.toThrow(/refused 'play b Z99'/);
    await c.close();
  }, 60_000);
});
