/**
 * What a GTP engine must survive from its input: a bare CR is not a line break (the spec removes it
 * like any control character), hostile byte streams get exactly one reply per command line,
 * overlong lines are refused without being kept, and loadsgf reads only regular files of sane size
 * (not /dev/zero, a FIFO or stdin), including SGF that nests variations 50,000 deep.
 */
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GtpEngine, MAX_GTP_LINE, MAX_SGF_BYTES, runGtp } from '../../../../src/env/games/go/gtp.ts';
import type { GoState } from '../../../../src/env/games/go/rules.ts';
import type { Player } from '../../../../src/players/player.ts';

const firstLegal: Player = {
  name: 'first legal',
  async chooseMove(position) {
    const s = position as GoState;
    return { action: s.legalActions().find((a) => a !== s.game.pass) ?? s.game.pass, resign: false };
  },
};

/** Feed `chunks` to a fresh engine over a stream; the whole output. */
async function session(chunks: (string | Buffer)[], size = 9): Promise<string> {
  const e = new GtpEngine({ size, player: firstLegal });
  const input = new PassThrough();
  let out = '';
  const done = runGtp(e, input, (t) => (out += t));
  for (const c of chunks) input.write(c);
  input.end();
  await done;
  return out;
}

const replies = (out: string): string[] => out.split('\n\n').filter((r) => r !== '');

describe('GTP input', () => {
  it('removes a bare CR instead of breaking the line there: one reply per LF-ended line', async () => {
    const out = await session(['play b D4\rgenmove w\n', 'name\r\n']);
    expect(replies(out)).toHaveLength(2);
    expect(replies(out)[0]).toMatch(/^\? .*bad vertex 'D4genmove'/);
    expect(replies(out)[1]).toBe('= tengen');
  });

  it('answers every command line of a hostile byte stream exactly once, well framed, and keeps working', async () => {
    const words = ['play', 'genmove', 'b', 'w', 'D4', 'pass', 'boardsize', '9', '5', '-1', 'komi', 'nan', 'undo', '#', 'loadsgf', '/nonexistent', '/dev/zero',
      'fixed_handicap', '2', '99', 'time_left', 'time_settings', 'set_free_handicap', 'A1', 'C3', 'showboard', 'printsgf', 'final_score', 'clear_board', '12', 'é', '\u0000'];
    const controls = ['\r', '\t', '\x07', '\x1b', '\x7f', '\x00', '\v', '\f'];
    let seed = 17;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n; // the high bits: the low bits of this generator repeat with a short period
    };
    const lines: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const parts = Array.from({ length: rand(5) }, () => (rand(4) === 0 ? controls[rand(controls.length)]! : words[rand(words.length)]!));
      lines.push((rand(5) === 0 ? `${rand(100)} ` : '') + parts.join(rand(3) === 0 ? '\t' : ' '));
    }
    // Split the bytes at arbitrary places, through multi-byte characters too.
    const bytes = Buffer.from(lines.join('\n') + '\nprotocol_version\n', 'utf8');
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; ) {
      const n = 1 + rand(40);
      chunks.push(bytes.subarray(at, at + n));
      at += n;
    }
    const out = await session(chunks);
    // GTP's cleaning: control characters but HT and LF removed, HT a space, '#' starts a comment.
    // eslint-disable-next-line no-control-regex
    const commands = [...lines, 'protocol_version'].filter((l) => l.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '').replace(/#.*$/, '').trim() !== '');
    const got = replies(out);
    expect(got).toHaveLength(commands.length);
    for (const r of got) expect(r).toMatch(/^[=?]\d*( |$)/);
    expect(out).not.toMatch(/internal error/);
    expect(got[got.length - 1]).toBe('= 2');
  }, 60_000);

  it('refuses a line longer than it reads, without keeping it, and reads the next line', async () => {
    const long = 'play b ' + 'D'.repeat(MAX_GTP_LINE * 3);
    const chunks: string[] = [];
    for (let i = 0; i < long.length; i += 10_000) chunks.push(long.slice(i, i + 10_000));
    const out = await session([...chunks, '\nname\n']);
    expect(replies(out)).toEqual([`? line too long (more than ${MAX_GTP_LINE} bytes)`, '= tengen']);
  });
});

describe('GTP loadsgf', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tengen-gtp-sgf-'));

  it('reads only regular files, of at most MAX_SGF_BYTES', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const big = join(dir, 'big.sgf');
    writeFileSync(big, '(;SZ[9]C[' + 'x'.repeat(MAX_SGF_BYTES) + '])');
    const t0 = Date.now();
    const out = await session([`loadsgf /dev/zero\nloadsgf /dev/stdin\nloadsgf ${fifo}\nloadsgf ${dir}\nloadsgf ${big}\nloadsgf ${join(dir, 'none.sgf')}\nname\n`]);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const r = replies(out);
    expect(r.slice(0, 4)).toEqual([
      '? cannot read /dev/zero: not a regular file', '? cannot read /dev/stdin: not a regular file', `? cannot read ${fifo}: not a regular file`, `? cannot read ${dir}: not a regular file`,
    ]);
    expect(r[4]).toMatch(/^\? cannot read .*big\.sgf: \d+ bytes, more than the \d+ an SGF file may have here$/);
    expect(r[5]).toMatch(/no such file/);
    expect(r[6]).toBe('= tengen');
  });

  it('loads SGF with 50,000 nested variations or a 3 MB comment without running out of stack', async () => {
    const deep = join(dir, 'deep.sgf');
    writeFileSync(deep, '(;SZ[9];B[ee]' + '(;W[aa]'.repeat(50_000) + ')'.repeat(50_000) + ')');
    const comment = join(dir, 'comment.sgf');
    writeFileSync(comment, '(;SZ[9]C[' + 'x'.repeat(3_000_000) + '];B[ee];W[cc])');
    const out = await session([`loadsgf ${deep}\nloadsgf ${comment}\nshowboard\n`]);
    const r = replies(out);
    // The main line of the deep file plays W A9 on the first branch, then A9 again: an illegal move, said as such.
    expect(r[0]).toMatch(/^\? .*move 3 .*illegal/);
    expect(r[1]).toBe('= ');
    expect(r[2]).toMatch(/^= \n/);
    expect(out).not.toMatch(/call stack|internal error/);
  }, 60_000);
});
