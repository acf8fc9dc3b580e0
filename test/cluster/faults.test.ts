/**
 * Faults and bad input: a worker killed mid-job (SIGKILL), Redis killed and restarted mid-run,
 * jobs of the wrong version and nets whose bytes do not match their hash.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Job, Queue } from 'bullmq';
import { initBackend } from '../../src/nets/backend.ts';
import { makeGame } from '../../src/agents/alphazero/games.ts';
import { buildNet, getWeightBlob, netSpecFor } from '../../src/agents/alphazero/net.ts';
import { InThreadRunner, type PlayRequest } from '../../src/agents/alphazero/runner.ts';
import { NetEvaluator } from '../../src/nets/evaluator.ts';
import { ClusterRunner } from '../../src/cluster/runner.ts';
import { ClusterWorker } from '../../src/cluster/worker.ts';
import { bullConnection, Redis } from '../../src/cluster/redis.ts';
import { encodeNet, netHash } from '../../src/cluster/nets.ts';
import { parseRedisUrl } from '../../src/cluster/redis-url.ts';
import { BULL_PREFIX, netKey, PROTOCOL_VERSION, QUEUE_NAME } from '../../src/cluster/schema.ts';
import type { SelfPlaySettings } from '../../src/agents/alphazero/selfplay.ts';
import { HAVE_REDIS, TestRedis } from './redis-server.ts';
import { spawnWorker, stopWorker, type WorkerProc } from './workers.ts';

const game = makeGame('tictactoe', {});
const spec = netSpecFor(game, 'mlp', 1, 16);
const settings = (simulations: number): SelfPlaySettings => ({
  simulations, cPuct: 1.5, dirichletAlpha: 0, dirichletEpsilon: 0.25, mctsBatchSize: 4, virtualLoss: 1, temperatureMoves: 4, reuseTree: true, resignThreshold: null, resignCheckFraction: 0,
});
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!HAVE_REDIS)('cluster faults', () => {
  let redis: TestRedis;
  const procs: WorkerProc[] = [];

  beforeAll(async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    redis = await TestRedis.start();
  });

  afterAll(async () => {
    await Promise.all(procs.map((w) => stopWorker(w)));
    await redis?.stop();
  });

  it('a worker killed mid-job: its job is retried by another, every game exactly once and the same as in one process', async () => {
    const target = parseRedisUrl(redis.url);
    const model = buildNet(spec, 3);
    const runner = await ClusterRunner.start({ target, runId: 'kill-test', game, gameName: 'tictactoe', gameParams: {}, spec, gamesPerJob: 2, log: () => {} });
    await runner.setWeights(getWeightBlob(model));
    const req: PlayRequest = { generation: 1, indices: [0, 1, 2, 3, 4, 5, 6, 7], settings: settings(120), runSeed: 11, concurrency: 2 };
    const a = spawnWorker(redis.url, 'victim');
    procs.push(a);
    const playing = runner.play(req, {});
    // Wait until the victim holds a job, then kill it without warning.
    for (let t = 0; (await runner.queue.getActiveCount()) === 0; t++) {
      if (t > 600) throw new Error(`the worker never took a job:\n${a.output()}`);
      await sleep(50);
    }
    a.proc.kill('SIGKILL');
    await a.exited;
    const b = spawnWorker(redis.url, 'rescuer');
    procs.push(b);
    const { games } = await playing;
    expect(games.map((g) => g.gameIndex)).toEqual(req.indices);
    // Every job completed; the one the victim held came back through stalled-job recovery.
    const jobs = (await runner.queue.getJobs(['completed', 'failed', 'active', 'wait', 'delayed'])).filter((j) => j.id?.startsWith('kill-test.'));
    expect(jobs).toHaveLength(4);
    expect(jobs.every((j) => j.finishedOn && !j.failedReason)).toBe(true);
    expect(jobs.reduce((n, j) => n + (j.stalledCounter ?? 0), 0)).toBeGreaterThanOrEqual(1);
    // Games depend only on their seeds: the same as playing them in this process.
    const local = await new InThreadRunner(game, new NetEvaluator(game, model)).play(req, {});
    expect(games.map((g) => g.moves)).toEqual(local.games.map((g) => g.moves));
    await runner.close();
    model.dispose();
    expect(await stopWorker(b)).toBe(0); // SIGTERM: a clean exit
  }, 150_000);

  it('Redis killed and restarted mid-run (append-only): trainer and worker reconnect and finish, nothing lost', async () => {
    const target = parseRedisUrl(redis.url);
    const model = buildNet(spec, 4);
    const worker = await ClusterWorker.start({ target, inference: 'tfjs', id: 'steady', lockDurationMs: 5000, stalledIntervalMs: 2500, log: () => {} });
    const runner = await ClusterRunner.start({ target, runId: 'restart-test', game, gameName: 'tictactoe', gameParams: {}, spec, gamesPerJob: 2, log: () => {} });
    await runner.setWeights(getWeightBlob(model));
    const req: PlayRequest = { generation: 1, indices: [0, 1, 2, 3, 4, 5, 6, 7], settings: settings(60), runSeed: 5, concurrency: 2 };
    const playing = runner.play(req, {});
    for (let t = 0; worker.counts.completed < 1; t++) {
      if (t > 600) throw new Error('no job completed before the restart');
      await sleep(20);
    }
    await redis.kill();
    await sleep(300);
    await redis.up();
    const { games } = await playing;
    expect(games.map((g) => g.gameIndex)).toEqual(req.indices);
    const local = await new InThreadRunner(game, new NetEvaluator(game, model)).play(req, {});
    expect(games.map((g) => g.moves)).toEqual(local.games.map((g) => g.moves));
    await runner.close();
    await worker.stop();
    model.dispose();
  }, 60_000);

  it('rejects jobs of another protocol version and nets whose bytes do not match their hash, with the reason', async () => {
    const target = parseRedisUrl(redis.url);
    const logs: string[] = [];
    const worker = await ClusterWorker.start({ target, inference: 'tfjs', id: 'strict', log: (m) => logs.push(m) });
    const queue = new Queue(QUEUE_NAME, { connection: bullConnection(target), prefix: BULL_PREFIX });
    const r = await new Redis(target).open();
    const model = buildNet(spec, 5);
    try {
      const good = encodeNet(getWeightBlob(model));
      const hash = netHash(good);
      const tampered = Buffer.from(good);
      tampered[tampered.length - 1]! ^= 0x40;
      await r.cmd('SET', netKey(hash), tampered);
      const data = { v: PROTOCOL_VERSION, kind: 'selfplay', runId: 'bad-input', game: 'tictactoe', gameParams: {}, spec, settings: settings(4), runSeed: 1, generation: 1, indices: [0], concurrency: 1, net: { hash, generation: 1 } };
      await queue.add('bad', { ...data, v: PROTOCOL_VERSION + 1 }, { jobId: 'bad-version', attempts: 3 });
      await queue.add('bad', { ...data, settings: 'process.exit(1)' }, { jobId: 'bad-shape', attempts: 3 });
      await queue.add('bad', data, { jobId: 'bad-net', attempts: 1 });
      const failed = async (id: string): Promise<Job> => {
        for (let t = 0; t < 400; t++) {
          const j = await Job.fromId(queue, id);
          if (j?.finishedOn) return j;
          await sleep(25);
        }
        throw new Error(`job ${id} did not finish; log:\n${logs.join('\n')}`);
      };
      const v = await failed('bad-version');
      expect(v.failedReason).toMatch(/protocol version 2, this tengen speaks version 1/);
      expect(v.attemptsMade).toBe(1); // not retried: it can never succeed
      expect((await failed('bad-shape')).failedReason).toMatch(/settings is not an object/);
      expect((await failed('bad-net')).failedReason).toMatch(/content hash .* does not match/);
      expect(logs.some((l) => /protocol version/.test(l))).toBe(true);
      expect(logs.some((l) => /does not match its name/.test(l))).toBe(true);
      expect(worker.counts.completed).toBe(0);
    } finally {
      model.dispose();
      r.close();
      await queue.close();
      await worker.stop();
    }
  }, 30_000);
});
