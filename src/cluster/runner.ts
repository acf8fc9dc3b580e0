/**
 * The trainer side of distributed self-play: a SelfPlayRunner whose games, self-play and the
 * gate's evaluation matches (playMatch), are played by `tengen worker` processes on any machine,
 * through a BullMQ queue in Redis.
 *
 * setWeights publishes the net by content hash; play() points the run's `latest` at it, splits
 * the games into jobs of `gamesPerJob` ("play games i..j of generation g with net h and these
 * settings") and collects the results. Job ids are derived from (run, generation, first game,
 * count, net hash), so enqueueing again (after a trainer restart with --resume) finds the same
 * jobs, finished ones included; game ids are (run, generation, index), and the trainer keeps the
 * first copy of each, so a retried job never counts a game twice. Games played by a net more than
 * `maxNetAge` generations old are dropped and their games enqueued again.
 */
import { Job, Queue } from 'bullmq';
import type { Game } from '../env/games/game.ts';
import type { NetSpec, WeightBlob } from '../agents/alphazero/net.ts';
import type { MatchRequest, PlayRequest, SelfPlayRunner, WorkerStat } from '../agents/alphazero/runner.ts';
import type { MatchGame } from '../players/match.ts';
import type { GameHooks, PlayedGame } from '../agents/alphazero/selfplay.ts';
import { UserError } from '../util/errors.ts';
import { bullConnection, Redis } from './redis.ts';
import { setLatest, storeNet } from './nets.ts';
import type { RedisTarget } from './redis-url.ts';
import { BULL_PREFIX, parseMatchResult, parseResult, PROTOCOL_VERSION, QUEUE_NAME, SchemaError, type MatchJob, type SelfPlayJob } from './schema.ts';

export interface ClusterRunnerOptions {
  target: RedisTarget;
  /** Names this run's jobs and nets pointer; keep it across --resume. */
  runId: string;
  game: Game;
  gameName: string;
  gameParams: Record<string, unknown>;
  spec: NetSpec;
  /** Games per job (default 4): smaller jobs spread better and lose less when a worker dies. */
  gamesPerJob?: number;
  /** Drop games from nets more than this many generations older than the one asked for (default 1). */
  maxNetAge?: number;
  /** Tries per job before the run fails (default 5; a stalled job counts as one). */
  attempts?: number;
  pollMs?: number;
  /** Publish nets as files in this directory (shared with the workers) instead of in Redis. */
  netDir?: string;
  log?: (message: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ClusterRunner implements SelfPlayRunner {
  readonly inference = 'cluster workers (each reports its own evaluator)';
  private hash: string | null = null;
  private closed = false;
  private readonly log: (m: string) => void;
  /** Results rejected for a bad schema or a stale net, by job id (tests read it). */
  readonly rejected: { jobId: string; reason: string }[] = [];

  private constructor(private readonly o: ClusterRunnerOptions, private readonly redis: Redis, readonly queue: Queue) {
    this.log = o.log ?? ((m) => process.stderr.write(`cluster: ${m}\n`));
  }

  static async start(o: ClusterRunnerOptions): Promise<ClusterRunner> {
    let redis: Redis;
    try {
      redis = await new Redis(o.target).open();
    } catch (e) {
      throw new UserError(`--cluster: ${(e as Error).message.replace(/^Connection closed: /, '')}`);
    }
    const queue = new Queue(QUEUE_NAME, { connection: bullConnection(o.target), prefix: BULL_PREFIX });
    queue.on('error', (e) => (o.log ?? (() => {}))(`queue: ${e.message}`));
    await queue.waitUntilReady();
    return new ClusterRunner(o, redis, queue);
  }

  async setWeights(blob: WeightBlob): Promise<void> {
    this.hash = await storeNet(this.redis, blob, this.o.netDir);
  }

  /** Pause the queue: workers take no new jobs (the ones running finish). */
  setPaused(paused: boolean): void {
    void (paused ? this.queue.pause() : this.queue.resume()).catch((e: Error) => this.log(`cannot ${paused ? 'pause' : 'resume'} the queue: ${e.message}`));
  }

  private jobId(gen: number, indices: number[], retry: number): string {
    return `${this.o.runId}.g${gen}.i${indices[0]}.n${indices.length}.${this.hash!.slice(0, 16)}${retry ? `.r${retry}` : ''}`;
  }

  private jobOpts(jobId: string): Record<string, unknown> {
    return { jobId, attempts: this.o.attempts ?? 5, backoff: { type: 'fixed', delay: 500 }, removeOnComplete: { age: 3 * 24 * 3600, count: 100_000 }, removeOnFail: { age: 7 * 24 * 3600 } };
  }

  private async addJobs(jobs: { name: string; data: SelfPlayJob | MatchJob; opts: Record<string, unknown> }[]): Promise<void> {
    for (;;) {
      try {
        await this.queue.addBulk(jobs);
        return;
      } catch (e) {
        this.log(`cannot enqueue jobs yet (${(e as Error).message}); retrying`);
        await sleep(1000);
      }
    }
  }

  /**
   * Wait until every job in `pending` (job id -> its data) has been answered. A finished job's
   * return value goes to `done` (a SchemaError from it rejects the result); a job that failed,
   * vanished or was rejected goes to `lost` with the reason, which enqueues its games again
   * (adding to `pending`, so this waits for those too).
   */
  private async drain<D>(
    pending: Map<string, D>,
    what: string,
    done: (jobId: string, data: D, value: unknown) => Promise<void>,
    lost: (data: D, reason: string) => Promise<void>,
  ): Promise<void> {
    let wait = 50;
    while (pending.size > 0) {
      if (this.closed) throw new Error(`ClusterRunner closed while ${what} jobs were pending`);
      let progressed = false;
      for (const [jobId, data] of [...pending]) {
        let job: Job | undefined;
        try {
          job = await Job.fromId(this.queue, jobId);
        } catch (e) {
          this.log(`cannot read job ${jobId} (${(e as Error).message}); retrying`);
          await sleep(1000);
          continue;
        }
        if (!job) {
          // Gone (Redis lost it, or someone removed it): play those games again under a new id.
          this.log(`job ${jobId} vanished from the queue; enqueueing its games again`);
          pending.delete(jobId);
          await lost(data, 'the job vanished from the queue');
          continue;
        }
        if (!job.finishedOn) continue;
        pending.delete(jobId);
        if (job.failedReason && !job.returnvalue) {
          // Out of attempts (or refused by a worker, e.g. one of another version): try again under a new id, a few times.
          this.log(`job ${jobId} failed after ${job.attemptsMade} attempt(s): ${job.failedReason}; enqueueing its games again`);
          this.rejected.push({ jobId, reason: job.failedReason });
          await lost(data, job.failedReason);
          continue;
        }
        progressed = true;
        try {
          await done(jobId, data, job.returnvalue);
        } catch (e) {
          if (!(e instanceof SchemaError)) throw e;
          this.rejected.push({ jobId, reason: e.message });
          this.log(`job ${jobId}: ${e.message}; enqueueing its games again`);
          await lost(data, e.message);
        }
      }
      if (pending.size === 0) break;
      wait = progressed ? 50 : Math.min(this.o.pollMs ?? 500, wait * 2);
      await sleep(wait);
    }
  }

  async play(req: PlayRequest, hooks: GameHooks): Promise<{ games: PlayedGame[]; stats: WorkerStat[] }> {
    if (!this.hash) throw new Error('ClusterRunner.play: setWeights first (the net to play with is published by hash)');
    if (this.closed) throw new Error('ClusterRunner.play: closed');
    const o = this.o;
    const net = { hash: this.hash, generation: req.generation };
    await setLatest(this.redis, o.runId, net);
    const per = Math.max(1, o.gamesPerJob ?? 4);
    const maxAge = o.maxNetAge ?? 1;
    const obsSize = o.game.observationShape.reduce((a, b) => a * b, 1);
    const games = new Map<number, PlayedGame>();
    const pending = new Map<string, SelfPlayJob>();
    const retries = new Map<number, number>();
    const perWorker = new Map<string, WorkerStat & { seconds: number; batches: number }>();

    const enqueue = async (indices: number[], retry: number): Promise<void> => {
      const jobs: { name: string; data: SelfPlayJob; opts: Record<string, unknown> }[] = [];
      for (let k = 0; k < indices.length; k += per) {
        const part = indices.slice(k, k + per);
        const data: SelfPlayJob = {
          v: PROTOCOL_VERSION, kind: 'selfplay', runId: o.runId, game: o.gameName, gameParams: o.gameParams, spec: o.spec, settings: req.settings,
          runSeed: req.runSeed, generation: req.generation, indices: part, concurrency: Math.max(1, Math.min(req.concurrency, part.length)), net,
        };
        const jobId = this.jobId(req.generation, part, retry);
        pending.set(jobId, data);
        jobs.push({ name: `g${req.generation}`, data, opts: this.jobOpts(jobId) });
      }
      await this.addJobs(jobs);
    };

    await enqueue(req.indices, 0);
    await this.drain(
      pending,
      'self-play',
      async (jobId, data, value) => {
        const parsed = parseResult(value, data, obsSize, o.game.numActions);
        if (parsed.result.net.generation < req.generation - maxAge) throw new SchemaError('self-play result', `played by the net of generation ${parsed.result.net.generation}, more than ${maxAge} older than ${req.generation}`);
        const { result } = parsed;
        let st = perWorker.get(result.worker.id);
        if (!st) perWorker.set(result.worker.id, (st = { worker: 0, games: 0, positions: 0, evals: 0, evalsPerSec: 0, avgBatch: 0, seconds: 0, batches: 0 }));
        st.evals += result.evals;
        st.batches += result.batches;
        st.seconds += result.seconds;
        for (const g of parsed.games) {
          if (games.has(g.gameIndex)) continue; // idempotent: the first copy of a game counts
          games.set(g.gameIndex, g);
          st.games++;
          st.positions += g.positions.length;
          hooks.onStart?.(g.gameIndex);
          hooks.onEnd?.(g);
        }
        const missing = data.indices.filter((i) => !games.has(i));
        if (missing.length) {
          this.log(`job ${jobId} returned ${data.indices.length - missing.length} of ${data.indices.length} games; enqueueing the rest again`);
          await requeue(missing, retries, enqueue, 'self-play games');
        }
      },
      (data, reason) => requeue(data.indices, retries, enqueue, 'self-play games', reason),
    );
    const stats = [...perWorker.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, s], w) => ({
      worker: w, games: s.games, positions: s.positions, evals: s.evals, evalsPerSec: s.evals / Math.max(s.seconds, 1e-9), avgBatch: s.batches ? s.evals / s.batches : 0,
    }));
    const out = req.indices.map((i) => games.get(i)!);
    return { games: out, stats };
  }

  /**
   * The gate's games on the workers: both nets are published by hash, the match is cut into jobs of
   * `gamesPerJob` game numbers, and each game counts once (by its number), whichever worker or
   * retry played it. Game numbers fix seeds and colours, so it is the match a local gate plays.
   */
  async playMatch(req: MatchRequest, onGameEnd?: (done: number, total: number) => void): Promise<MatchGame[]> {
    if (this.closed) throw new Error('ClusterRunner.playMatch: closed');
    const o = this.o;
    const a = { hash: await storeNet(this.redis, req.candidate, o.netDir), generation: req.generation };
    const b = { hash: await storeNet(this.redis, req.best, o.netDir), generation: req.generation };
    const per = Math.max(1, o.gamesPerJob ?? 4);
    const games = new Map<number, MatchGame>();
    const pending = new Map<string, MatchJob>();
    const retries = new Map<number, number>();
    const enqueue = async (indices: number[], retry: number): Promise<void> => {
      const jobs: { name: string; data: MatchJob; opts: Record<string, unknown> }[] = [];
      for (let k = 0; k < indices.length; k += per) {
        const part = indices.slice(k, k + per);
        const data: MatchJob = {
          v: PROTOCOL_VERSION, kind: 'match', runId: o.runId, game: o.gameName, gameParams: o.gameParams, spec: o.spec, agent: req.agent, seed: req.seed,
          generation: req.generation, indices: part, concurrency: Math.max(1, Math.min(req.concurrency, part.length)), a, b,
        };
        const jobId = `${o.runId}.m${req.generation}.i${part[0]}.n${part.length}.${a.hash.slice(0, 8)}${b.hash.slice(0, 8)}${retry ? `.r${retry}` : ''}`;
        pending.set(jobId, data);
        jobs.push({ name: `m${req.generation}`, data, opts: this.jobOpts(jobId) });
      }
      await this.addJobs(jobs);
    };
    await enqueue(Array.from({ length: req.games }, (_, i) => i), 0);
    await this.drain(
      pending,
      'evaluation',
      async (_jobId, data, value) => {
        for (const g of parseMatchResult(value, data, o.game.numActions).games) {
          if (games.has(g.index)) continue;
          games.set(g.index, g);
          onGameEnd?.(games.size, req.games);
        }
      },
      (data, reason) => requeue(data.indices, retries, enqueue, 'evaluation games', reason),
    );
    return Array.from({ length: req.games }, (_, i) => games.get(i)!);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.close().catch(() => undefined);
    this.redis.close();
  }
}

/** Enqueue games again under a new job id; after 5 tries the run fails with the last reason. */
async function requeue(
  indices: number[],
  retries: Map<number, number>,
  enqueue: (indices: number[], retry: number) => Promise<void>,
  what: string,
  reason?: string,
): Promise<void> {
  const first = indices[0]!;
  const r = (retries.get(first) ?? 0) + 1;
  if (r > 5) throw new Error(`cluster: ${what} ${indices.join(',')} failed or were rejected ${r - 1} times${reason ? `; last: ${reason}` : '; see the log for the reasons'}`);
  retries.set(first, r);
  await enqueue(indices, r);
}
