/**
 * Where self-play games are played: in the main thread (workers = 0; deterministic, used by tests)
 * or in W worker_threads, each running many games at once. Workers get the weights as ArrayBuffers
 * whenever they change and build their own model; finished games stream back as they end. Game
 * indices are dealt round-robin and results sorted by index, and every game seeds itself from its
 * index, so the games do not depend on W.
 */
import { Worker } from 'node:worker_threads';
import { tsWorkerSource } from '../../util/ts-worker.ts';
import type { Evaluator, Game } from '../../env/games/game.ts';
import type { NetSpec, WeightBlob } from './net.ts';
import { playSelfPlayGames, type GameHooks, type MoveCandidate, type PlayedGame, type SelfPlaySettings } from './selfplay.ts';
import type { MatchGame } from '../../players/match.ts';
import type { NetPlayerOptions } from '../../players/net.ts';

export interface WorkerInit {
  game: string;
  gameParams: Record<string, unknown>;
  spec: NetSpec;
  backend?: string;
  /** Which evaluator the worker's searches use (see AZConfig.inference). */
  inference?: 'auto' | 'onnxruntime' | 'tfjs';
}

export type WorkerRequest =
  | { type: 'weights'; shapes: number[][]; data: ArrayBuffer }
  | { type: 'play'; generation: number; indices: number[]; settings: SelfPlaySettings; runSeed: number; concurrency: number; live?: boolean }
  /** Handled at once, not queued behind a running 'play': games wait before their next search. */
  | { type: 'pause'; paused: boolean }
  /** Handled at once: stop the games and wait until no inference is in flight (quitting now). */
  | { type: 'halt' }
  | { type: 'close' };

export type WorkerReply =
  | { type: 'ready'; evaluator: string }
  | { type: 'game'; game: PlayedGame }
  | { type: 'start'; gameIndex: number }
  | { type: 'move'; gameIndex: number; moveNumber: number; move: string; rootValue: number; candidates: MoveCandidate[] }
  | { type: 'done'; evals: number; batches: number; seconds: number }
  | { type: 'halted' }
  | { type: 'error'; message: string };

export interface WorkerStat {
  worker: number;
  games: number;
  positions: number;
  evals: number;
  evalsPerSec: number;
  avgBatch: number;
}

export interface PlayRequest {
  generation: number;
  indices: number[];
  settings: SelfPlaySettings;
  runSeed: number;
  concurrency: number;
  /** Stream game starts and moves (for a live display); otherwise only finished games come back. */
  live?: boolean;
}

/** An evaluation match (the gate) to play on the runner's machines: candidate is A, best is B. */
export interface MatchRequest {
  generation: number;
  candidate: WeightBlob;
  best: WeightBlob;
  /** Game numbers 0..games-1; see playMatchGames for how a number fixes seeds and colours. */
  games: number;
  seed: number;
  agent: NetPlayerOptions;
  concurrency: number;
}

export interface SelfPlayRunner {
  /** Send new weights (workers rebuild nothing, they copy the values into their model). */
  setWeights(blob: WeightBlob): Promise<void>;
  /** Play the games. In this thread `hooks.beforeMove` pauses or aborts; workers obey setPaused and close. */
  play(req: PlayRequest, hooks: GameHooks): Promise<{ games: PlayedGame[]; stats: WorkerStat[] }>;
  /** Hold (or release) every game before its next search. */
  setPaused(paused: boolean): void;
  /** The evaluator the games' searches use ('onnxruntime' or 'tfjs'), with why onnxruntime was not used. */
  readonly inference: string;
  /**
   * Play an evaluation match on the runner's own machines (a cluster's workers). Runners without
   * it leave evaluation to the caller, in its process.
   */
  playMatch?(req: MatchRequest, onGameEnd?: (done: number, total: number) => void): Promise<MatchGame[]>;
  /**
   * Quitting at once: stop the games where they are and end the runner's threads, waiting only for
   * inference already in flight. A process must not exit while a worker thread is inside
   * onnxruntime: the run's completion then throws into a dead thread and aborts the process.
   * The games' promises are left unsettled; the runner is unusable afterwards.
   */
  halt?(): Promise<void>;
  close(): Promise<void>;
}

/** Self-play in this thread, on an evaluator over the caller's self-play model. */
export class InThreadRunner implements SelfPlayRunner {
  constructor(
    private readonly game: Game,
    private readonly evaluator: Evaluator,
    readonly inference = 'tfjs',
  ) {}

  setPaused(): void {
    // In this thread the pipeline's beforeMove hook holds the games.
  }

  async setWeights(): Promise<void> {
    // The caller's model is the self-play model itself.
  }

  async play(req: PlayRequest, hooks: GameHooks): Promise<{ games: PlayedGame[]; stats: WorkerStat[] }> {
    const t0 = performance.now();
    const { games, stats } = await playSelfPlayGames(this.game, this.evaluator, req.settings, req.runSeed, req.generation, req.indices, req.concurrency, hooks);
    const secs = (performance.now() - t0) / 1000;
    const positions = games.reduce((n, g) => n + g.positions.length, 0);
    return { games, stats: [{ worker: 0, games: games.length, positions, evals: stats.positionsEvaluated, evalsPerSec: stats.positionsEvaluated / Math.max(secs, 1e-9), avgBatch: stats.meanBatch }] };
  }

  async close(): Promise<void> {}
}

/**
 * Workers run the TypeScript sources directly: a tiny CommonJS bootstrap registers tsx's ESM hooks
 * in the worker thread, then imports worker.ts.
 */
interface Slot {
  worker: Worker;
  onReply: ((m: WorkerReply) => void) | null;
  onExit: (() => void) | null;
  failed: Error | null;
}

/** W worker threads playing self-play games. */
export class WorkerRunner implements SelfPlayRunner {
  private readonly slots: Slot[] = [];
  inference = '';

  private constructor() {}

  static async start(count: number, init: WorkerInit): Promise<WorkerRunner> {
    const r = new WorkerRunner();
    const code = tsWorkerSource(new URL('./worker.ts', import.meta.url));
    const ready: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const worker = new Worker(code, { eval: true, workerData: init });
      const slot: Slot = { worker, onReply: null, onExit: null, failed: null };
      r.slots.push(slot);
      ready.push(
        new Promise<void>((resolve, reject) => {
          slot.onReply = (m) => {
            if (m.type === 'ready') {
              if (i === 0) r.inference = m.evaluator;
              resolve();
            }
            else if (m.type === 'error') reject(new Error(`self-play worker ${i} failed to start: ${m.message}`));
          };
          worker.on('error', (e) => {
            slot.failed = e;
            reject(e);
          });
        }),
      );
      worker.on('message', (m: WorkerReply) => slot.onReply?.(m));
      worker.on('exit', (code) => {
        if (code !== 0 && !slot.failed) slot.failed = new Error(`self-play worker ${i} exited with code ${code}`);
        slot.onExit?.();
      });
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await r.close();
      throw e;
    }
    return r;
  }

  get size(): number {
    return this.slots.length;
  }

  async setWeights(blob: WeightBlob): Promise<void> {
    for (const s of this.slots) {
      const copy = blob.data.slice().buffer;
      s.worker.postMessage({ type: 'weights', shapes: blob.shapes, data: copy } satisfies WorkerRequest, [copy]);
    }
  }

  setPaused(paused: boolean): void {
    for (const s of this.slots) {
      try {
        s.worker.postMessage({ type: 'pause', paused } satisfies WorkerRequest);
      } catch {
        // a worker that already exited has nothing to pause
      }
    }
  }

  async play(req: PlayRequest, hooks: GameHooks): Promise<{ games: PlayedGame[]; stats: WorkerStat[] }> {
    const W = this.slots.length;
    const parts: number[][] = Array.from({ length: W }, () => []);
    req.indices.forEach((idx, k) => parts[k % W]!.push(idx));
    const games: PlayedGame[] = [];
    const stats: WorkerStat[] = [];
    await Promise.all(
      this.slots.map(
        (s, w) =>
          new Promise<void>((resolve, reject) => {
            if (s.failed) return reject(s.failed);
            if (parts[w]!.length === 0) return resolve();
            let n = 0;
            let positions = 0;
            s.onReply = (m) => {
              if (m.type === 'game') {
                n++;
                positions += m.game.positions.length;
                games.push(m.game);
                hooks.onEnd?.(m.game);
              } else if (m.type === 'start') {
                hooks.onStart?.(m.gameIndex);
              } else if (m.type === 'move') {
                hooks.onMove?.(m.gameIndex, m.moveNumber, m.move, m.rootValue, m.candidates);
              } else if (m.type === 'done') {
                stats.push({ worker: w, games: n, positions, evals: m.evals, evalsPerSec: m.evals / Math.max(m.seconds, 1e-9), avgBatch: m.batches ? m.evals / m.batches : 0 });
                resolve();
              } else if (m.type === 'error') reject(new Error(`self-play worker ${w}: ${m.message}`));
            };
            s.onExit = () => reject(s.failed ?? new Error(`self-play worker ${w} exited`));
            s.worker.postMessage({ type: 'play', ...req, indices: parts[w]! } satisfies WorkerRequest);
          }),
      ),
    );
    games.sort((a, b) => a.gameIndex - b.gameIndex);
    stats.sort((a, b) => a.worker - b.worker);
    return { games, stats };
  }

  halt(): Promise<void> {
    return this.endAll({ type: 'halt' }, 'halted', 3000);
  }

  /** Ask every worker to finish and wait for them to exit (terminate after 5 s). */
  close(): Promise<void> {
    return this.endAll({ type: 'close' }, null, 5000);
  }

  /**
   * Post `req` to every worker, wait until each answers `reply` (or, with null, exits) or `ms` pass,
   * then terminate them all. With a `reply` the 'play' under way is abandoned: its handlers go, so
   * its promise neither resolves nor rejects; without one a queued 'play' still reports to its own.
   */
  private async endAll(req: WorkerRequest, reply: WorkerReply['type'] | null, ms: number): Promise<void> {
    await Promise.all(
      this.slots.map(
        (s) =>
          new Promise<void>((resolve) => {
            const done = (): void => {
              clearTimeout(timer);
              if (reply) s.onReply = null;
              s.onExit = null;
              resolve();
            };
            const timer = setTimeout(done, ms);
            if (reply) {
              s.onReply = (m) => {
                if (m.type === reply) done();
              };
            }
            s.onExit = done;
            try {
              s.worker.postMessage(req);
            } catch {
              done();
            }
          }),
      ),
    );
    await Promise.all(this.slots.map((s) => s.worker.terminate().catch(() => undefined)));
    this.slots.length = 0;
  }
}
