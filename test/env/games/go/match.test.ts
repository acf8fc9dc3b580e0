import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { GtpClient, gnugoPath, normScore, runMatch, shellQuote } from '../../../../src/env/games/go/match.ts';
import { eloOfScore, wilson } from '../../../../src/util/elo.ts';
import { gnugoAvailable } from '../../../../src/agents/alphazero/gnugo-yardstick.ts';
import { GoGame } from '../../../../src/env/games/go/rules.ts';
import { loadSgf } from '../../../../src/env/games/go/sgf.ts';
import { Rng } from '../../../../src/util/rng.ts';

const gnugo = gnugoAvailable() ? gnugoPath() : undefined;
if (!gnugo) console.log('skipping GNU Go comparisons: gnugo is not installed (apt-get install gnugo)');

describe('match statistics', () => {
  it('Wilson interval and Elo', () => {
    const [lo, hi] = wilson(5, 10);
    expect(lo).toBeCloseTo(0.2366, 3);
    expect(hi).toBeCloseTo(0.7634, 3);
    expect(eloOfScore(0.5)).toBeCloseTo(0, 6);
    expect(eloOfScore(0.75)).toBeCloseTo(190.85, 1);
    expect(normScore('B+3.0')).toBe('B+3');
    expect(normScore('w+resign')).toBe('W+R');
    expect(normScore('0')).toBe('0');
    expect(normScore('junk')).toBe('');
  });
});

describe('match scoring', () => {
  it('scores games ended by passes with the referee engine\'s final_score when asked, else by Tromp-Taylor', async () => {
    // Both engines pass at once: the board is empty, so Tromp-Taylor gives W+7.5, while engine B's
    // final_score says B+5 (as GNU Go would after removing dead stones).
    const engine = (score: string): string => `${shellQuote(process.execPath)} ${shellQuote(fileURLToPath(new URL('../../../fixtures/go/pass-engine.mjs', import.meta.url)))} ${score}`;
    const dir = mkdtempSync(join(tmpdir(), 'tengen-referee-'));
    const base = { black: engine('0'), white: engine('B+5'), games: 2, size: 5, komi: 7.5, sgfDir: dir, log: () => undefined };
    const tt = await runMatch(base);
    expect(tt.games.map((g) => [g.result, g.scoredBy])).toEqual([['W+7.5', 'tromp-taylor'], ['W+7.5', 'tromp-taylor']]);
    expect(tt.wins).toEqual([1, 1]);
    const lines: string[] = [];
    const ref = await runMatch({ ...base, referee: 1, log: (l) => lines.push(l) });
    expect(ref.games.map((g) => [g.result, g.scoredBy, g.ourScore])).toEqual([['B+5', 'B', 'W+7.5'], ['B+5', 'B', 'W+7.5']]);
    // Game 1: A is Black and wins by B's count; game 2: B is Black and wins.
    expect(ref.games.map((g) => g.winner)).toEqual([0, 1]);
    expect(lines.find((l) => l.startsWith('game 1/2'))).toMatch(/B\+5 by B's final_score \(Tromp-Taylor: W\+7\.5\)/);
    expect(readFileSync(join(dir, 'game-001.sgf'), 'utf8')).toMatch(/RE\[B\+5\]/);
    // A referee that answers nothing readable leaves the Tromp-Taylor result and says so.
    const bad = await runMatch({ ...base, white: engine('unknown'), referee: 1, games: 1 });
    expect(bad.games[0]!.scoredBy).toBe('tromp-taylor');
    expect(bad.games[0]!.disagreements.join('\n')).toMatch(/no readable final_score/);
  }, 60_000);
  it('tengen match --referee B scores by engine B and refuses an unknown referee', () => {
    const repo = fileURLToPath(new URL('../../../../', import.meta.url));
    const tsx = join(repo, 'node_modules', '.bin', 'tsx');
    const engine = (score: string): string => `${process.execPath} ${fileURLToPath(new URL('../../../fixtures/go/pass-engine.mjs', import.meta.url))} ${score}`;
    const dir = mkdtempSync(join(tmpdir(), 'tengen-referee-cli-'));
    const run = (referee: string) => spawnSync(tsx, ['src/cli.ts', 'match', '--black', engine('0'), '--white', engine('B+5'), '--games', '1', '--size', '5', '--sgf-dir', dir, '--referee', referee], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    const ok = run('B');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/game 1\/1: A as Black, B\+5 by B's final_score \(Tromp-Taylor: W\+7\.5\) \(engine A wins\)/);
    const bad = run('C');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--referee must be tromp-taylor, A or B, got 'C'/);
  }, 60_000);
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
    expect(lines.at(-1)).toMatch(/for A: score .*95% CI.*Elo difference/);
    await expect(runMatch({ black: 'sh -c "exit 3"', white: `${gnugo} --mode gtp`, games: 1, size: 9, komi: 7.5, sgfDir: dir, log: () => undefined }))
      .rejects.toThrow(/engine A .*exited/);
    const c = new GtpClient('gnugo', `${gnugo} --mode gtp`);
    await expect(c.send('play b Z99')).rejects.toThrow(/refused 'play b Z99'/);
    await c.close();
  }, 60_000);
});

describe('tengen match', () => {
  it('saves the SGFs under runs/match/<date>-<time> by default and says where', () => {
    const repo = fileURLToPath(new URL('../../../../', import.meta.url));
    const cwd = mkdtempSync(join(tmpdir(), 'tengen-match-cwd-'));
    const engine = `${process.execPath} ${fileURLToPath(new URL('../../../fixtures/go/pass-engine.mjs', import.meta.url))} 0 pass`;
    const r = spawnSync(process.execPath, [join(repo, 'bin', 'tengen.js'), 'match', '--black', engine, '--white', engine, '--games', '2', '--size', '5'], { cwd, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const m = /the games are saved as SGF in (runs\/match\/\d{8}-\d{6})\n/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(readdirSync(join(cwd, m![1]!)).filter((f) => f.endsWith('.sgf'))).toHaveLength(2);
    expect(existsSync(join(cwd, 'match-sgf'))).toBe(false);
  }, 60_000);
});
