import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { makeLineSolver, register, solveStream } from '../../../src/commands/solve.ts';
import { LinesFailedError } from '../../../src/util/errors.ts';

async function run(game: 'connect4' | 'tictactoe', text: string): Promise<{ out: string; err: string; total: number; failed: number }> {
  const input = new PassThrough();
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d: Buffer) => (o += d.toString()));
  err.on('data', (d: Buffer) => (e += d.toString()));
  input.end(text);
  const r = await solveStream(game, input, out, err);
  return { out: o, err: e, ...r };
}

describe('tengen solve', () => {
  it('prints "<moves> <score>" per line, ignoring the rest of the line', async () => {
    const r = await run('connect4', '4455 18\n44455554221 whatever\n');
    expect(r.out).toBe('4455 18\n44455554221 -15\n');
    expect(r.err).toBe('');
    expect(r).toMatchObject({ total: 2, failed: 0 });
  });

  it('reports each malformed line with its number and carries on', async () => {
    const r = await run('connect4', '4455\n44x5\n\n4444444\n1122334\n12345678\n44455554221\n');
    expect(r.out).toBe('4455 18\n44455554221 -15\n');
    const lines = r.err.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/line 2: '44x5': character 3 'x' is not a column: expected digits 1..7/);
    expect(lines[1]).toMatch(/line 4: .*column 4 is full/);
    expect(lines[2]).toMatch(/line 5: .*already over .*first player won/);
    expect(lines[3]).toMatch(/line 6: .*'8' is not a column/);
    expect(r).toMatchObject({ total: 6, failed: 4 });
  });

  it('solves tic-tac-toe positions and lists optimal cells with --columns', async () => {
    expect(makeLineSolver('tictactoe')('')).toBe(' 0');
    // X (1, 5) to move against O (2, 3): 9 wins at once; 4, 6 and 7 fork and win a move later.
    expect(makeLineSolver('tictactoe', { columns: true })('1253')).toBe('1253 1 4679');
    const r = await run('tictactoe', '12\n1x\n');
    expect(r.out).toBe('12 1\n');
    expect(r.err).toMatch(/line 2: '1x'/);
  });

  it('gives per-column scores with --columns (null columns as -)', () => {
    expect(makeLineSolver('connect4', { columns: true })('53355233474363614756').split(' ').slice(0, 3)).toEqual(['53355233474363614756', '11', '10']);
  });

  it('registers a "solve" command that fails with exit code 1 after bad lines', () => {
    const program = new Command();
    register(program);
    expect(program.commands.map((c) => c.name())).toContain('solve');
    expect(new LinesFailedError(1, 3).exitCode).toBe(1);
  });
});
