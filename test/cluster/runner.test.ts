/**
 * The trainer's side against a scripted worker: results from nets too old, or of the wrong
 * version, are rejected with the reason and their games enqueued again; duplicates count once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from 'bullmq';
import { initBackend } from '../../src/nets/backend.ts';
import { NetEvaluator } from '../../src/nets/evaluator.ts';
import { makeGame } from '../../src/agents/alphazero/games.ts';
import { buildNet, getWeightBlob, netSpecFor } from '../../src/agents/alphazero/net.ts';
import { InThreadRunner } from '../../src/agents/alphazero/runner.ts';
import { ClusterRunner } from '../../src/cluster/runner.ts';
import { bullConnection } from '../../src/cluster/redis.ts';
import { parseRedisUrl } from '../../src/cluster/redis-url.ts';
import { BULL_PREFIX, encodeGame, parseJob, PROTOCOL_VERSION, QUEUE_NAME } from '../../src/cluster/schema.ts';
import { HAVE_REDIS, TestRedis } from './redis-server.ts';

const game = makeGame('tictactoe', {});
const spec = netSpecFor(game, 'mlp', 1, 16);

describe.skipIf(!HAVE_REDIS)('ClusterRunner results', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    redis = await TestRedis.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('drops games from nets older than maxNetAge and results of another version, then takes the good copy once', async () => {
    const target = parseRedisUrl(redis.url);
    const model = buildNet(spec, 2);
    const local = new InThreadRunner(game, new NetEvaluator(game, model));
    const seen: string[] = [];
    const fake = new Worker(
      QUEUE_NAME,
      async (job) => {
        const data = parseJob(job.data);
        seen.push(job.id!);
        const { games } = await local.play({ generation: data.generation, indices: data.indices, settings: data.settings, runSeed: data.runSeed, concurrency: 1 }, {});
        const wire = games.map((g) => encodeGame(data.runId, g));
        const base = { v: PROTOCOL_VERSION, kind: 'selfplay-result', worker: { id: 'fake', host: 'h' }, net: data.net, games: [...wire, ...wire], evals: 1, batches: 1, seconds: 0.1 };
        if (job.id!.endsWith('.r1')) return { ...base, v: 99 };
        if (job.id!.endsWith('.r2')) return base;
        return { ...base, net: { ...data.net, generation: data.generation - 2 } };
      },
      { connection: bullConnection(target), prefix: BULL_PREFIX },
    );
    const runner = await ClusterRunner.start({ target, runId: 'stale', game, gameName: 'tictactoe', gameParams: {}, spec, gamesPerJob: 4, maxNetAge: 1, log: () => {} });
    await runner.setWeights(getWeightBlob(model));
    const settings = { simulations: 8, cPuct: 1.5, dirichletAlpha: 0, dirichletEpsilon: 0.25, mctsBatchSize: 4, virtualLoss: 1, temperatureMoves: 4, reuseTree: true, resignThreshold: null, resignCheckFraction: 0 };
    const ends: number[] = [];
    const { games, stats } = await runner.play({ generation: 3, indices: [10, 11, 12], settings, runSeed: 9, concurrency: 2 }, { onEnd: (g) => ends.push(g.gameIndex) });
    await fake.close();
    await runner.close();
    expect(seen).toHaveLength(3);
    expect(runner.rejected.map((r) => r.reason)).toEqual([
      expect.stringMatching(/played by the net of generation 1, more than 1 older than 3/),
      expect.stringMatching(/protocol version 99/),
    ]);
    expect(games.map((g) => g.gameIndex)).toEqual([10, 11, 12]);
    expect(ends).toEqual([10, 11, 12]);
    expect(stats).toEqual([expect.objectContaining({ games: 3 })]);
    const again = await local.play({ generation: 3, indices: [10, 11, 12], settings, runSeed: 9, concurrency: 1 }, {});
    expect(games.map((g) => g.moves)).toEqual(again.games.map((g) => g.moves));
    model.dispose();
  }, 30_000);
});
