/**
 * `tengen play` off a terminal (moves on stdin, one per line) with a trained net from a selfplay
 * run directory, and the errors a wrong --model gets.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/nets/backend.ts';
import { Pipeline } from '../../src/agents/alphazero/pipeline.ts';
import { defaultConfig, mergeConfig } from '../../src/agents/alphazero/config.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsx = join(repo, 'node_modules', '.bin', 'tsx');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'tengen-play-'));

function play(args: string[], input: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(tsx, ['src/cli.ts', '--backend', 'cpu', 'play', ...args], { cwd: repo, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function tinyRun(game: string): Promise<string> {
  await initBackend({ backend: 'cpu', quiet: true });
  const dir = tmp();
  const config = mergeConfig(defaultConfig(game), {
    arch: 'mlp', blocks: 1, filters: 16, gamesPerGeneration: 2, concurrentGames: 2, simulations: 4, evalGames: 0, strengthGames: 0,
    batchSize: 8, minBufferPositions: 4, workers: 0, generations: 1, seed: 3,
  }, 'test');
  const p = await Pipeline.create({ runDir: dir, config });
  await p.run();
  p.dispose();
  return dir;
}

describe('tengen play --model', () => {
  it('plays a whole game against the net of a selfplay run and saves it', async () => {
    const run = await tinyRun('tictactoe');
    const saveDir = tmp();
    // Every cell once: moves already taken are refused and the next line is read.
    const r = play(['--game', 'tictactoe', '--model', run, '--visits', '16', '--save-dir', saveDir], 'a1\nb1\nc1\na2\nb2\nc2\na3\nb3\nc3\n');
    expect(r.err).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/against PUCT 16 visits \+ net /);
    expect(r.out).toMatch(/agent plays /);
    expect(r.out).toMatch(/result: (you win|the agent wins|draw)/);
    expect(readdirSync(saveDir)).toHaveLength(1);
  }, 90_000);

  it('refuses a net made for another game, and a directory with no net, with exit 2', async () => {
    const run = await tinyRun('connect4');
    const wrong = play(['--game', 'tictactoe', '--model', run], '');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/is for input \[.*\] and 7 actions; tictactoe needs/);
    const none = play(['--game', 'tictactoe', '--model', tmp()], '');
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/--model .*: no net there/);
  }, 90_000);
});

describe('tengen play --game go', () => {
  it('plays the Monte-Carlo Go engine without --model, and answers moves typed as vertices', () => {
    const saveDir = tmp();
    const r = play(['--game', 'go', '--size', '9', '--visits', '300', '--save-dir', saveDir], 'E5\nC3\nG7\n');
    expect(r.err).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/against tengen Go engine/);
    expect((r.out.match(/agent plays [A-HJ-T]\d/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(r.out).toMatch(/result: unfinished/);
  }, 90_000);
});
