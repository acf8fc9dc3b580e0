/**
 * `tengen gtp --model`: a Go net from a selfplay run plays through GTP on its board size only. Without
 * --model, a board size with a shipped net (models/go-9x9) plays that net; others, and --model none,
 * play UCT with random rollouts.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/nets/backend.ts';
import { Pipeline } from '../../src/agents/alphazero/pipeline.ts';
import { defaultConfig, mergeConfig } from '../../src/agents/alphazero/config.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsx = join(repo, 'node_modules', '.bin', 'tsx');

describe('tengen gtp --model', () => {
  it('plays with a 5x5 net and refuses genmove on a board size the net was not made for', async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    const dir = mkdtempSync(join(tmpdir(), 'tengen-gtp-model-'));
    const config = mergeConfig(defaultConfig('go'), {
      gameParams: { size: 5 }, arch: 'mlp', blocks: 1, filters: 16, gamesPerGeneration: 2, concurrentGames: 2, simulations: 4,
      evalGames: 0, strengthGames: 0, batchSize: 8, minBufferPositions: 4, workers: 0, generations: 1, seed: 5, resign: false,
    }, 'test');
    const p = await Pipeline.create({ runDir: dir, config });
    await p.run();
    p.dispose();
    const input = ['boardsize 5', 'clear_board', 'komi 7.5', 'genmove b', 'boardsize 7', 'clear_board', 'genmove b', 'quit', ''].join('\n');
    const r = spawnSync(tsx, ['src/cli.ts', '--backend', 'cpu', 'gtp', '--model', dir, '--visits', '16', '--resign', 'never'], { cwd: repo, input, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toMatch(/internal error/);
    const replies = r.stdout.split('\n\n').map((x) => x.trim()).filter((x) => x !== '');
    expect(replies[3]).toMatch(/^= ([A-HJ-T][1-9]|pass)$/i);
    expect(replies[6]).toMatch(/^\? .*go needs \[7,7,17\] and 50/);
    expect(r.status).toBe(0);
  }, 120_000);

  it('--engine az plays the shipped 9x9 net on boardsize 9 without --model, UCT elsewhere and with --model none', () => {
    const input = ['boardsize 9', 'clear_board', 'genmove b', 'boardsize 13', 'clear_board', 'genmove b', 'quit', ''].join('\n');
    const vertex = /^= ([A-HJ-T](1[0-9]|[1-9])|pass)$/i;
    const shipped = spawnSync(tsx, ['src/cli.ts', '--backend', 'cpu', 'gtp', '--engine', 'az', '--visits', '16', '--resign', 'never'], { cwd: repo, input, encoding: 'utf8', timeout: 60_000 });
    expect(shipped.stderr).toMatch(/9x9 plays the shipped net .*models[/\\]go-9x9/);
    expect(shipped.stderr).toMatch(/no net ships for 13x13; playing UCT with random rollouts/);
    const replies = shipped.stdout.split('\n\n').map((x) => x.trim()).filter((x) => x !== '');
    expect(replies[2]).toMatch(vertex);
    expect(replies[5]).toMatch(vertex);
    expect(shipped.status).toBe(0);

    const none = spawnSync(tsx, ['src/cli.ts', 'gtp', '--model', 'none', '--visits', '16', '--resign', 'never'], { cwd: repo, input, encoding: 'utf8', timeout: 60_000 });
    expect(none.stderr).not.toMatch(/shipped net|no net ships/);
    expect(none.stdout.split('\n\n').map((x) => x.trim()).filter((x) => x !== '')[2]).toMatch(vertex);
    expect(none.status).toBe(0);
  }, 120_000);

  it('plays the Monte-Carlo engine by default on any board size, and refuses a net for it', () => {
    const input = ['boardsize 9', 'clear_board', 'genmove b', 'boardsize 19', 'clear_board', 'genmove w', 'quit', ''].join('\n');
    const vertex = /^= ([A-HJ-T](1[0-9]|[1-9])|pass)$/i;
    const mc = spawnSync(tsx, ['src/cli.ts', 'gtp', '--visits', '300', '--threads', '2'], { cwd: repo, input, encoding: 'utf8', timeout: 60_000 });
    const replies = mc.stdout.split('\n\n').map((x) => x.trim()).filter((x) => x !== '');
    expect(replies[2]).toMatch(vertex);
    expect(replies[5]).toMatch(vertex);
    expect(mc.stderr).not.toMatch(/shipped net|no net ships/);
    expect(mc.status).toBe(0);
    const bad = spawnSync(tsx, ['src/cli.ts', 'gtp', '--engine', 'mc', '--model', 'models/go-9x9'], { cwd: repo, input: 'quit\n', encoding: 'utf8', timeout: 60_000 });
    expect(bad.stderr.trim()).toMatch(/--model names a net, which the mc engine does not use/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    expect(bad.status).not.toBe(0);
  }, 120_000);
});
