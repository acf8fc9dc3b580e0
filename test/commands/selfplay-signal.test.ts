import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('tengen selfplay off a TTY', () => {
  it('SIGTERM stops the run after the generation under way and leaves a resumable checkpoint', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tengen-sig-')), 'run');
    const tiny = ['arch=mlp', 'blocks=1', 'filters=16', 'gamesPerGeneration=8', 'simulations=8', 'evalGames=0', 'strengthGames=0', 'batchSize=16', 'minBufferPositions=16'];
    const child = spawn(process.execPath, ['bin/tengen.js', 'selfplay', '--game', 'tictactoe', '--out', dir, '--no-tui', '--workers', '0', '--backend', 'cpu', ...tiny.flatMap((s) => ['--set', s])], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let signalled = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // No generation limit: only the signal ends this run.
      if (!signalled && /gen 1 done/.test(out)) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(out).toMatch(/stopping after this generation \(SIGTERM again to quit now/);
    expect(code).toBe(0);
    const state = JSON.parse(readFileSync(join(dir, 'checkpoint', 'state.json'), 'utf8')) as { generation: number };
    // Generation 1 was done when the signal came; at most the one under way (2) followed.
    expect(state.generation).toBeGreaterThanOrEqual(1);
    expect(state.generation).toBeLessThanOrEqual(2);
  }, 60_000);

  it('a second SIGTERM during self-play in worker threads quits at once with code 130, without aborting', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tengen-sig-')), 'run');
    // Many games, so the signals land while the workers are inside onnxruntime.
    const long = ['gamesPerGeneration=4000', 'simulations=32', 'evalGames=0', 'strengthGames=0'];
    const child = spawn(process.execPath, ['bin/tengen.js', 'selfplay', '--game', 'connect4', '--out', dir, '--no-tui', '--workers', '2', '--backend', 'cpu', ...long.flatMap((s) => ['--set', s])], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let signalled = false;
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (!signalled && /self-play inference: onnxruntime/.test(out)) {
        signalled = true;
        setTimeout(() => child.kill('SIGTERM'), 1500);
        setTimeout(() => child.kill('SIGTERM'), 1700);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('exit', (c, s) => r([c, s])));
    expect(out).toMatch(/self-play inference: onnxruntime/);
    expect(out).not.toMatch(/Napi::Error|terminate called/);
    expect(signal).toBeNull();
    expect(code).toBe(130);
    expect(out).toMatch(/quit; resume with: (tengen|npx tengen|npm run tengen --) selfplay --resume/);
  }, 60_000);
});
