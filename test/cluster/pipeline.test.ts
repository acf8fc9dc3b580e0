/**
 * A trainer (the AlphaZero pipeline with a ClusterRunner) and two worker processes on tic-tac-toe
 * for a few generations, through a private redis-server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/nets/backend.ts';
import { Pipeline } from '../../src/agents/alphazero/pipeline.ts';
import { PipelineEvents } from '../../src/agents/alphazero/events.ts';
import { attachClusterEvents, clusterRunnerFactory } from '../../src/cluster/trainer.ts';
import { parseRedisUrl } from '../../src/cluster/redis-url.ts';
import { Redis } from '../../src/cluster/redis.ts';
import { readWorkers, subscribeEvents } from '../../src/cluster/events.ts';
import { bullConnection } from '../../src/cluster/redis.ts';
import { BULL_PREFIX, QUEUE_NAME } from '../../src/cluster/schema.ts';
import { Queue } from 'bullmq';
import { tinyConfig } from '../agents/alphazero/tiny-config.ts';
import { HAVE_REDIS, TestRedis } from './redis-server.ts';
import { spawnWorker, stopWorker, type WorkerProc } from './workers.ts';

describe.skipIf(!HAVE_REDIS)('cluster self-play pipeline', () => {
  let redis: TestRedis;
  const workers: WorkerProc[] = [];
  let dir: string;

  beforeAll(async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    redis = await TestRedis.start();
    dir = mkdtempSync(join(tmpdir(), 'tengen-cluster-'));
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => stopWorker(w)));
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs generations on two worker processes, each game exactly once, and streams the events', async () => {
    const target = parseRedisUrl(redis.url);
    // One worker plays in its main thread, the other in a worker thread.
    workers.push(spawnWorker(redis.url, 'wa'), spawnWorker(redis.url, 'wb', ['--threads', '1']));
    const events = new PipelineEvents();
    const runDir = join(dir, 'run');
    const gens = 2;
    const p = await Pipeline.create({ runDir, config: tinyConfig({ generations: gens, gamesPerGeneration: 8, concurrentGames: 2 }), events, runnerFactory: clusterRunnerFactory(target, runDir, { gamesPerJob: 2, log: () => {} }) });
    const off = await attachClusterEvents(events, target, () => {});
    const ends: { generation: number; gameIndex: number }[] = [];
    events.on('game:end', (e) => ends.push({ generation: e.generation, gameIndex: e.gameIndex }));
    const stats: number[] = [];
    events.on('worker:stats', (s) => stats.push(s.games));
    const evals: { generation: number; games: number }[] = [];
    events.on('eval:result', (e) => evals.push({ generation: e.generation, games: e.wins + e.draws + e.losses }));
    await p.run();
    await off();
    p.dispose();

    expect(p.state.generation).toBe(gens);
    expect(p.state.totalGames).toBe(16);
    // Every game index 0..15 once, in the generation that asked for it.
    expect(ends.map((e) => e.gameIndex).sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(ends.filter((e) => e.generation === 1).map((e) => e.gameIndex).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // Per-worker stats add up to the games; the run's id was saved for --resume.
    expect(stats.reduce((a, b) => a + b, 0)).toBe(16);
    expect(JSON.parse(readFileSync(join(runDir, 'cluster.json'), 'utf8')).runId).toMatch(/^run-[0-9a-f]{8}$/);

    // The gate's games were played by the workers as match jobs: each game number once per generation.
    const cfg = tinyConfig();
    expect(evals).toEqual(Array.from({ length: gens }, (_, i) => ({ generation: i + 1, games: cfg.evalGames })));
    const queue = new Queue(QUEUE_NAME, { connection: bullConnection(target), prefix: BULL_PREFIX });
    try {
      const done = (await queue.getJobs(['completed'])).filter((j) => (j.data as { kind: string }).kind === 'match');
      const played = done.flatMap((j) => (j.returnvalue as { games: { index: number }[] }).games.map((g) => `${(j.data as { generation: number }).generation}:${g.index}`));
      expect(played.sort()).toEqual(Array.from({ length: gens }, (_, g) => Array.from({ length: cfg.evalGames }, (_, i) => `${g + 1}:${i}`)).flat().sort());
    } finally {
      await queue.close();
    }

    // Both workers reported heartbeats (the worker table of `tengen watch`).
    const r = await new Redis(target).open();
    try {
      let hb = await readWorkers(r);
      for (let t = 0; t < 100 && hb.reduce((n, w) => n + w.games, 0) < 16; t++) {
        await new Promise((res) => setTimeout(res, 100));
        hb = await readWorkers(r);
      }
      expect(hb.map((w) => w.id).sort()).toEqual(['wa', 'wb']);
      expect(hb.reduce((n, w) => n + w.games, 0)).toBe(16);
    } finally {
      r.close();
    }

    // A watcher attaching afterwards replays the run's events from the stream.
    const watched = new PipelineEvents();
    const seen: string[] = [];
    watched.onAny((name) => seen.push(name));
    const sub = subscribeEvents(target, watched);
    const t0 = Date.now();
    while (!seen.includes('run:end') && Date.now() - t0 < 10_000) await new Promise((res) => setTimeout(res, 50));
    await sub.stop();
    expect(seen.filter((n) => n === 'generation:end')).toHaveLength(gens);
    expect(seen.filter((n) => n === 'game:end')).toHaveLength(16);
    expect(sub.counts.rejected).toBe(0);
  }, 80_000);
});
