/**
 * Worker shutdown (finish, or hand the job back), a restarted trainer finding its finished jobs in
 * the queue, `tengen selfplay --cluster` with --resume, and `tengen watch` in line mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/nets/backend.ts';
import { makeGame } from '../../src/agents/alphazero/games.ts';
import { buildNet, getWeightBlob, netSpecFor } from '../../src/agents/alphazero/net.ts';
import type { PlayRequest } from '../../src/agents/alphazero/runner.ts';
import type { SelfPlaySettings } from '../../src/agents/alphazero/selfplay.ts';
import { ClusterRunner } from '../../src/cluster/runner.ts';
import { ClusterWorker } from '../../src/cluster/worker.ts';
import { parseRedisUrl } from '../../src/cluster/redis-url.ts';
import { Redis } from '../../src/cluster/redis.ts';
import { runSelfplay } from '../../src/commands/selfplay.ts';
import { runWatch } from '../../src/commands/watch.ts';
import { UserError } from '../../src/util/errors.ts';
import { HAVE_REDIS, TestRedis } from './redis-server.ts';
import { repo } from './workers.ts';

const game = makeGame('tictactoe', {});
const spec = netSpecFor(game, 'mlp', 1, 16);
const settings = (simulations: number): SelfPlaySettings => ({
  simulations, cPuct: 1.5, dirichletAlpha: 0, dirichletEpsilon: 0.25, mctsBatchSize: 4, virtualLoss: 1, temperatureMoves: 4, reuseTree: true, resignThreshold: null, resignCheckFraction: 0,
});
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!HAVE_REDIS)('cluster lifecycle', () => {
  let redis: TestRedis;
  let dir: string;

  beforeAll(async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    redis = await TestRedis.start();
    dir = mkdtempSync(join(tmpdir(), 'tengen-cluster-life-'));
  });

  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a stopping worker finishes its job or hands it back; a restarted trainer reuses finished jobs', async () => {
    const target = parseRedisUrl(redis.url);
    const model = buildNet(spec, 8);
    const runner = await ClusterRunner.start({ target, runId: 'life', game, gameName: 'tictactoe', gameParams: {}, spec, gamesPerJob: 2, log: () => {} });
    await runner.setWeights(getWeightBlob(model));
    const req: PlayRequest = { generation: 1, indices: [0, 1, 2, 3, 4, 5], settings: settings(150), runSeed: 3, concurrency: 2 };
    const first = await ClusterWorker.start({ target, inference: 'tfjs', id: 'first', log: () => {} });
    const playing = runner.play(req, {});
    while ((await runner.queue.getActiveCount()) === 0) await sleep(10);
    await first.stop(); // finish the running job, take no more
    expect(first.counts).toMatchObject({ completed: 1, handedBack: 0 });
    const second = await ClusterWorker.start({ target, inference: 'tfjs', id: 'second', log: () => {} });
    while ((await runner.queue.getActiveCount()) === 0) await sleep(10);
    await second.stop(true); // hand the running job back at once
    expect(second.counts).toMatchObject({ completed: 0, handedBack: 1 });
    const third = await ClusterWorker.start({ target, inference: 'tfjs', id: 'third', log: () => {} });
    const { games } = await playing;
    await third.stop();
    expect(games.map((g) => g.gameIndex)).toEqual(req.indices);
    expect(third.counts.completed).toBe(2);
    await runner.close();

    // The trainer restarts: the same run, generation and net find the finished jobs; no worker needed.
    const again = await ClusterRunner.start({ target, runId: 'life', game, gameName: 'tictactoe', gameParams: {}, spec, gamesPerJob: 2, log: () => {} });
    await again.setWeights(getWeightBlob(model));
    const t0 = Date.now();
    const replay = await again.play(req, {});
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(replay.games.map((g) => g.moves)).toEqual(games.map((g) => g.moves));
    await again.close();
    model.dispose();
  }, 60_000);

  it('tengen selfplay --cluster runs and resumes a run; tengen watch shows its events and workers', async () => {
    const runDir = join(dir, 'cli-run');
    const target = parseRedisUrl(redis.url);
    await expect(runSelfplay({ cluster: 'redis://h:99999', out: join(dir, 'x'), tui: false })).rejects.toThrow(UserError);
    await expect(runSelfplay({ cluster: redis.url, maxNetAge: '-1', out: join(dir, 'x'), tui: false })).rejects.toThrow(/--max-net-age -1/);
    // Nets go through a shared directory here, not through Redis.
    const netDir = join(dir, 'nets');
    const worker = await ClusterWorker.start({ target, inference: 'tfjs', id: 'cli-worker', netDir, log: () => {} });
    const sets = ['arch=mlp', 'blocks=1', 'filters=16', 'gamesPerGeneration=4', 'concurrentGames=2', 'simulations=8', 'mctsBatchSize=4', 'evalGames=2', 'evalSimulations=4', 'strengthGames=0', 'batchSize=16', 'minBufferPositions=8', 'progressInterval=1000'];
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
    try {
      await runSelfplay({ cluster: redis.url, game: 'tictactoe', out: runDir, generations: '1', seed: '4', set: sets, tui: false, backend: 'cpu', gamesPerJob: '2', netDir });
      const runId = JSON.parse(readFileSync(join(runDir, 'cluster.json'), 'utf8')).runId as string;
      await runSelfplay({ cluster: redis.url, resume: runDir, generations: '2', tui: false, backend: 'cpu', netDir });
      expect(JSON.parse(readFileSync(join(runDir, 'cluster.json'), 'utf8')).runId).toBe(runId);
    } finally {
      process.stdout.write = write;
    }
    expect(out.join('')).toMatch(/self-play on the cluster at redis:\/\/127\.0\.0\.1:\d+\/0/);
    expect(out.join('')).toMatch(/gen 2 done/);
    const files = readdirSync(netDir).filter((f) => /^[0-9a-f]{64}\.net$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(1);
    const r = await new Redis(target).open();
    for (const f of files) expect(await r.cmd('EXISTS', `tengen:net:${f.slice(0, 64)}`)).toBe(0);
    r.close();
    const state = JSON.parse(readFileSync(join(runDir, 'checkpoint', 'state.json'), 'utf8')) as { generation: number; totalGames: number };
    expect(state).toMatchObject({ generation: 2, totalGames: 8 });

    const lines: string[] = [];
    await runWatch({ cluster: redis.url, tui: false, seconds: '1.5', interval: '0.5' }, (l) => lines.push(l));
    await worker.stop();
    const text = lines.join('\n');
    expect(text).toMatch(/gen 2 done in/);
    expect(text).toMatch(/cli-worker\s+\S+\s+(idle|playing)\s+8\s/);
  }, 80_000);
  it('a trainer killed with SIGKILL mid-run resumes from its checkpoint and the queue: every generation has its games exactly once', async () => {
    const runDir = join(dir, 'killed-run');
    const target = parseRedisUrl(redis.url);
    const worker = await ClusterWorker.start({ target, inference: 'tfjs', id: 'kill-worker', log: () => {} });
    const sets = ['arch=mlp', 'blocks=1', 'filters=16', 'gamesPerGeneration=4', 'concurrentGames=2', 'simulations=16', 'mctsBatchSize=4', 'evalGames=2', 'evalSimulations=4', 'strengthGames=0', 'batchSize=16', 'minBufferPositions=8', 'progressInterval=1000'];
    const trainer = spawn(
      process.execPath,
      ['--import', 'tsx', join(repo, 'src', 'cli.ts'), 'selfplay', '--cluster', redis.url, '--game', 'tictactoe', '--out', runDir, '--generations', '4', '--seed', '9', '--no-tui', '--backend', 'cpu', '--games-per-job', '2', ...sets.flatMap((x) => ['--set', x])],
      { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    trainer.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    trainer.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((r) => trainer.once('exit', () => r()));
    const stateFile = join(runDir, 'checkpoint', 'state.json');
    const generation = (): number => (existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as { generation: number }).generation : 0);
    const t0 = Date.now();
    while (generation() < 1) {
      if (trainer.exitCode !== null) throw new Error(`the trainer exited early:\n${out}`);
      if (Date.now() - t0 > 60_000) throw new Error(`no checkpoint after 60 s:\n${out}`);
      await sleep(20);
    }
    trainer.kill('SIGKILL');
    await exited;
    const killedAt = generation();
    expect(killedAt).toBeLessThan(4);

    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((x: string) => (lines.push(String(x)), true)) as typeof process.stdout.write;
    try {
      await runSelfplay({ cluster: redis.url, resume: runDir, generations: '4', tui: false, backend: 'cpu' });
    } finally {
      process.stdout.write = write;
      await worker.stop();
    }
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { generation: number; totalGames: number };
    expect(state).toMatchObject({ generation: 4, totalGames: 16 });
    for (let g = 1; g <= 4; g++) {
      const games = readFileSync(join(runDir, 'games', `gen-${String(g).padStart(6, '0')}.jsonl`), 'utf8').trim().split('\n');
      expect(games, `generation ${g}`).toHaveLength(4);
    }
    expect(lines.join('')).toContain(`(resumed at generation ${killedAt})`);
  }, 120_000);
});
