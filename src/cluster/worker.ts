/**
 * The worker side: pull self-play jobs from the cluster's queue, play them with the local
 * evaluator (in this thread, or in `threads` worker_threads per job slot), and hand the games
 * back as the job's result. `concurrency` jobs run at once, each in its own slot.
 *
 * Before each job the worker reads the run's `latest` net pointer and plays with the newest of
 * that and the job's net, fetching it by hash and checking the hash first. Every game is tagged
 * with the net that played it. A job of the wrong schema or version fails at once (no retry) with
 * the reason logged; a net whose bytes do not match its hash fails the attempt (BullMQ retries).
 *
 * Evaluation (gating) match jobs load both nets by hash and play their slice of the match in this
 * thread, with the same game numbers, seeds and colours as a local gate.
 *
 * Shutdown: stop() finishes the running jobs; stop(true) hands them back to the queue at once.
 * A worker that dies without either has its jobs retried by others after BullMQ's stalled-job
 * check (lockDurationMs / stalledIntervalMs).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { tf } from '../nets/backend.ts';
import { createBestEvaluatorWithReason } from '../nets/best-evaluator.ts';
import { OnnxEvaluator } from '../nets/onnx-evaluator.ts';
import { makeGame } from '../agents/alphazero/games.ts';
import { buildNet, describeSpec, setWeightBlob, type WeightBlob } from '../agents/alphazero/net.ts';
import { InThreadRunner, WorkerRunner, type SelfPlayRunner } from '../agents/alphazero/runner.ts';
import { batched } from '../mcts/batching.ts';
import { playMatchGames } from '../players/match.ts';
import { netPlayer } from '../players/net.ts';
import type { PlayerFactory } from '../players/player.ts';
import type { Evaluator } from '../env/games/game.ts';
import { bullConnection, Redis } from './redis.ts';
import { fetchNet, getLatest } from './nets.ts';
import type { RedisTarget } from './redis-url.ts';
import { BULL_PREFIX, encodeGame, parseAnyJob, PROTOCOL_VERSION, QUEUE_NAME, SchemaError, WORKERS_KEY, type Heartbeat, type JobResult, type MatchJob, type MatchJobResult, type NetRef, type SelfPlayJob } from './schema.ts';

export interface ClusterWorkerOptions {
  target: RedisTarget;
  /** Jobs at once (default 1). */
  concurrency?: number;
  /** worker_threads per job slot (0: play in this thread). */
  threads?: number;
  backend?: string;
  inference?: 'auto' | 'onnxruntime' | 'tfjs';
  id?: string;
  /** How long a job's lock lives without renewal; a dead worker's job is retried after about this long. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  heartbeatMs?: number;
  /** A directory of nets shared with the trainer (read first; Redis otherwise). */
  netDir?: string;
  log?: (message: string) => void;
}

interface Slot {
  key: string;
  runner: SelfPlayRunner;
  model: tf.LayersModel | null;
  onnx: OnnxEvaluator | null;
  hash: string | null;
  busy: boolean;
}

const ABORT = 'tengen worker: handing the job back';

export class ClusterWorker {
  readonly id: string;
  private readonly redis: Redis;
  private readonly worker: Worker;
  private readonly slots: Slot[] = [];
  private readonly log: (m: string) => void;
  private games = 0;
  private readonly t0 = Date.now();
  private net: NetRef | null = null;
  private state: Heartbeat['state'] = 'idle';
  private abort = false;
  private abortNow: () => void = () => {};
  /** Rejects when stop(true) hands the running jobs back (play() in worker threads cannot be interrupted). */
  private readonly aborted = new Promise<never>((_, reject) => (this.abortNow = () => reject(new Error(ABORT))));
  private readonly heartbeat: NodeJS.Timeout;
  private stopping: Promise<void> | null = null;
  /** Counts for tests and logs. */
  readonly counts = { completed: 0, failed: 0, rejected: 0, handedBack: 0, matchGames: 0 };
  /** Evaluation match jobs running now. */
  private matchJobs = 0;

  private constructor(private readonly o: ClusterWorkerOptions, redis: Redis) {
    this.aborted.catch(() => undefined);
    this.id = o.id ?? `${hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 40)}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.log = o.log ?? ((m) => process.stderr.write(`worker ${this.id}: ${m}\n`));
    this.redis = redis;
    this.worker = new Worker(QUEUE_NAME, (job, token) => this.process(job, token), {
      connection: bullConnection(o.target),
      prefix: BULL_PREFIX,
      concurrency: Math.max(1, o.concurrency ?? 1),
      lockDuration: o.lockDurationMs ?? 30_000,
      stalledInterval: o.stalledIntervalMs ?? 30_000,
      maxStalledCount: 10,
      autorun: false,
    });
    this.worker.on('error', (e) => this.log(`queue connection: ${e.message}`));
    this.worker.on('failed', (job, e) => {
      if (e instanceof WaitingError || e.name === 'WaitingError') return;
      this.counts.failed++;
      this.log(`job ${job?.id ?? '?'} failed: ${e.message}`);
    });
    this.heartbeat = setInterval(() => void this.beat(), o.heartbeatMs ?? 2000);
    this.heartbeat.unref();
  }

  static async start(o: ClusterWorkerOptions): Promise<ClusterWorker> {
    const redis = await new Redis(o.target).open();
    const w = new ClusterWorker(o, redis);
    await w.beat();
    void w.worker.run().catch((e: Error) => w.log(`stopped: ${e.message}`));
    await w.worker.waitUntilReady();
    return w;
  }

  private async beat(): Promise<void> {
    const mins = (Date.now() - this.t0) / 60_000;
    const hb: Heartbeat = {
      v: PROTOCOL_VERSION, id: this.id, host: hostname(), pid: process.pid, state: this.state, games: this.games, gamesPerMin: mins > 0 ? this.games / mins : 0,
      net: this.net, concurrency: Math.max(1, this.o.concurrency ?? 1), threads: this.o.threads ?? 0, lastSeen: Date.now(),
    };
    try {
      await this.redis.cmd('HSET', WORKERS_KEY, this.id, JSON.stringify(hb));
    } catch (e) {
      this.log(`heartbeat: ${(e as Error).message}`);
    }
  }

  private async slotFor(job: SelfPlayJob): Promise<Slot> {
    const key = JSON.stringify([job.game, job.gameParams, job.spec]);
    let slot = this.slots.find((s) => !s.busy && s.key === key) ?? this.slots.find((s) => !s.busy);
    if (slot && slot.key !== key) {
      // A slot for another game or net shape: replace it (taken out of the list first, so no other job picks it up).
      this.slots.splice(this.slots.indexOf(slot), 1);
      await this.closeSlot(slot);
      slot = undefined;
    }
    if (slot) {
      slot.busy = true;
      return slot;
    }
    const threads = this.o.threads ?? 0;
    let runner: SelfPlayRunner;
    let model: tf.LayersModel | null = null;
    let onnx: OnnxEvaluator | null = null;
    if (threads > 0) {
      runner = await WorkerRunner.start(threads, { game: job.game, gameParams: job.gameParams, spec: job.spec, backend: this.o.backend, inference: this.o.inference ?? 'auto' });
    } else {
      const game = makeGame(job.game, job.gameParams);
      model = buildNet(job.spec, 0);
      const best = await createBestEvaluatorWithReason(game, model, { prefer: this.o.inference ?? 'auto' });
      if (best.evaluator instanceof OnnxEvaluator) onnx = best.evaluator;
      runner = new InThreadRunner(game, best.evaluator, best.fallbackReason === undefined ? 'onnxruntime' : `tfjs (${best.fallbackReason})`);
    }
    this.log(`ready for ${job.game} (${describeSpec(job.spec)}); inference ${runner.inference}`);
    slot = { key, runner, model, onnx, hash: null, busy: true };
    this.slots.push(slot);
    return slot;
  }

  private async closeSlot(s: Slot): Promise<void> {
    await s.runner.close();
    if (s.onnx) await s.onnx.dispose();
    s.model?.dispose();
  }

  /** A published net's weights; a hash mismatch is counted and logged, and fails the attempt. */
  private async fetchChecked(hash: string): Promise<WeightBlob> {
    try {
      return await fetchNet(this.redis, hash, this.o.netDir);
    } catch (e) {
      if (e instanceof SchemaError) {
        this.counts.rejected++;
        this.log(e.message);
      }
      throw e;
    }
  }

  private async loadNet(slot: Slot, ref: NetRef): Promise<void> {
    if (slot.hash === ref.hash) return;
    const blob = await this.fetchChecked(ref.hash);
    if (slot.model) {
      setWeightBlob(slot.model, blob);
      if (slot.onnx) await slot.onnx.refresh();
    } else {
      await slot.runner.setWeights(blob);
    }
    slot.hash = ref.hash;
  }

  private async process(job: Job, token?: string): Promise<JobResult | MatchJobResult> {
    let data: SelfPlayJob | MatchJob;
    try {
      data = parseAnyJob(job.data);
    } catch (e) {
      this.counts.rejected++;
      this.log(`job ${job.id}: ${(e as Error).message}`);
      throw new UnrecoverableError((e as Error).message);
    }
    if (data.kind === 'match') return this.processMatch(job, data, token);
    const slot = await this.slotFor(data);
    this.state = 'playing';
    try {
      // Play with the newest net of the run (never older than the job's).
      let ref: NetRef = data.net;
      try {
        const latest = await getLatest(this.redis, data.runId);
        if (latest && latest.generation > ref.generation) ref = { hash: latest.hash, generation: latest.generation };
      } catch (e) {
        this.log(`ignoring the run's net pointer: ${(e as Error).message}`);
      }
      await this.loadNet(slot, ref);
      this.net = ref;
      const t0 = performance.now();
      const { games, stats } = await Promise.race([
        slot.runner.play(
          { generation: data.generation, indices: data.indices, settings: data.settings, runSeed: data.runSeed, concurrency: data.concurrency },
          {
            beforeMove: () => {
              if (this.abort) throw new Error(ABORT);
            },
          },
        ),
        this.aborted,
      ]);
      const evals = stats.reduce((n, s) => n + s.evals, 0);
      const batches = stats.reduce((n, s) => n + (s.avgBatch > 0 ? s.evals / s.avgBatch : 0), 0);
      this.games += data.indices.length;
      this.counts.completed++;
      void this.beat(); // the worker table shows the new count at once
      return { v: PROTOCOL_VERSION, kind: 'selfplay-result', worker: { id: this.id, host: hostname() }, net: ref, games: games.map((g) => encodeGame(data.runId, g)), evals, batches, seconds: (performance.now() - t0) / 1000 };
    } catch (e) {
      return this.handBackOrThrow(job, token, e);
    } finally {
      slot.busy = false;
      this.state = this.slots.some((s) => s.busy) ? 'playing' : 'idle';
    }
  }

  /** After stop(true) a job is handed back (to the front of the wait list, for another worker); any other error fails the attempt. */
  private async handBackOrThrow(job: Job, token: string | undefined, e: unknown): Promise<never> {
    if (this.abort && token) {
      await job.moveToWait(token);
      this.counts.handedBack++;
      this.log(`handed job ${job.id} back to the queue`);
      throw new WaitingError();
    }
    throw e;
  }

  /**
   * An evaluation match slice: load net A (the candidate) and net B (the best) by hash, play the
   * job's game numbers with the evaluation agent settings, and return each game's record.
   */
  private async processMatch(job: Job, data: MatchJob, token?: string): Promise<MatchJobResult> {
    this.state = 'playing';
    this.matchJobs++;
    const game = makeGame(data.game, data.gameParams);
    const nets: { model: tf.LayersModel; onnx: OnnxEvaluator | null; evaluator: Evaluator }[] = [];
    const t0 = performance.now();
    const guard = (f: PlayerFactory): PlayerFactory => (seed) => {
      const player = f(seed);
      return {
        ...player,
        chooseMove: (st, req) => {
          if (this.abort) throw new Error(ABORT);
          return player.chooseMove(st, req);
        },
      };
    };
    try {
      for (const ref of [data.a, data.b]) {
        const blob = await this.fetchChecked(ref.hash);
        const model = buildNet(data.spec, 0);
        setWeightBlob(model, blob);
        const best = await createBestEvaluatorWithReason(game, model, { prefer: this.o.inference ?? 'auto' });
        nets.push({ model, onnx: best.evaluator instanceof OnnxEvaluator ? best.evaluator : null, evaluator: batched(best.evaluator) });
      }
      const playing = playMatchGames(game, guard(netPlayer(game, nets[0]!.evaluator, data.agent)), guard(netPlayer(game, nets[1]!.evaluator, data.agent)), data.indices, data.seed, data.concurrency);
      playing.catch(() => undefined); // if the hand-back wins the race, the games' own end is not an error
      const games = await Promise.race([playing, this.aborted]);
      this.counts.matchGames += games.length;
      return { v: PROTOCOL_VERSION, kind: 'match-result', worker: { id: this.id, host: hostname() }, games, seconds: (performance.now() - t0) / 1000 };
    } catch (e) {
      return this.handBackOrThrow(job, token, e);
    } finally {
      for (const n of nets) {
        if (n.onnx) await n.onnx.dispose().catch(() => undefined);
        n.model.dispose();
      }
      this.matchJobs--;
      this.state = this.matchJobs > 0 || this.slots.some((s) => s.busy) ? 'playing' : 'idle';
    }
  }

  /**
   * Stop taking jobs. Without `handBack` the running jobs finish first; with it they are
   * abandoned and returned to the queue (worker-thread slots are closed to stop their games).
   */
  stop(handBack = false): Promise<void> {
    if (handBack && !this.abort) {
      this.abort = true;
      this.abortNow();
    }
    this.state = 'stopping';
    this.stopping ??= (async () => {
      await this.worker.close();
      clearInterval(this.heartbeat);
      for (const s of this.slots.splice(0)) await this.closeSlot(s).catch(() => undefined);
      await this.redis.cmd('HDEL', WORKERS_KEY, this.id).catch(() => undefined);
      this.redis.close();
    })();
    return this.stopping;
  }
}
