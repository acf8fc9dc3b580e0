/**
 * What `tengen selfplay --cluster` adds to a run: the pipeline's self-play runner becomes a
 * ClusterRunner on the given Redis, and its event stream is published for `tengen watch`.
 * The run's cluster id lives in <runDir>/cluster.json, so a --resume finds its jobs and nets again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { PipelineEvents } from '../agents/alphazero/events.ts';
import type { PipelineOptions } from '../agents/alphazero/pipeline.ts';
import { writeJsonAtomic } from '../util/fs.ts';
import { UserError } from '../util/errors.ts';
import { ClusterRunner } from './runner.ts';
import { publishEvents } from './events.ts';
import { Redis } from './redis.ts';
import { parseRedisUrl, redactUrl, type RedisTarget } from './redis-url.ts';

export { parseRedisUrl, redactUrl };

export interface ClusterTrainerOptions {
  gamesPerJob?: number;
  maxNetAge?: number;
  netDir?: string;
  log?: (message: string) => void;
}

/** The run's cluster id: read from <runDir>/cluster.json, or made and saved there. */
export function clusterRunId(runDir: string): string {
  const file = join(runDir, 'cluster.json');
  if (existsSync(file)) {
    const v = JSON.parse(readFileSync(file, 'utf8')) as { runId?: unknown };
    if (typeof v.runId === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(v.runId)) return v.runId;
    throw new UserError(`${file}: no valid runId; delete the file to start a new cluster id`);
  }
  const runId = `${basename(runDir).replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 60)}-${randomBytes(4).toString('hex')}`;
  writeJsonAtomic(file, { runId });
  return runId;
}

export function clusterRunnerFactory(target: RedisTarget, runDir: string, o: ClusterTrainerOptions = {}): NonNullable<PipelineOptions['runnerFactory']> {
  return async ({ game, config, spec }) =>
    ClusterRunner.start({
      target, runId: clusterRunId(runDir), game, gameName: config.game, gameParams: config.gameParams, spec,
      gamesPerJob: o.gamesPerJob ?? Math.max(1, config.concurrentGames), maxNetAge: o.maxNetAge ?? 1, log: o.log, ...(o.netDir ? { netDir: o.netDir } : {}),
    });
}

/** Publish the run's events to the cluster; the returned function detaches, flushes and disconnects. */
export async function attachClusterEvents(events: PipelineEvents, target: RedisTarget, log: (m: string) => void): Promise<() => Promise<void>> {
  let redis: Redis;
  try {
    redis = await new Redis(target).open();
  } catch (e) {
    throw new UserError(`--cluster ${redactUrl(target)}: ${(e as Error).message.replace(/^Connection closed: /, '')}`);
  }
  const off = publishEvents(events, redis, log);
  return async () => {
    await off();
    redis.close();
  };
}
