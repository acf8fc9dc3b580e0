/**
 * The AlphaGo Zero / AlphaZero loop, one generation at a time:
 *
 *   self-play (best net, or the newest in AlphaZero mode) -> replay buffer -> training
 *   -> evaluation (gate in 'zero' mode; Elo either way) -> strength yardsticks -> checkpoint.
 *
 * Everything random draws from seeds derived from the run seed (self-play games from their index,
 * matches from the generation, training samples from a saved Rng), and a checkpoint is written at
 * the end of every generation, so a killed run resumed from its directory reaches the same buffer,
 * counters and weights as a run that was never stopped. Each step is announced on `events`.
 */
import { existsSync, mkdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../../nets/backend.ts';
import { NetEvaluator } from '../../nets/evaluator.ts';
import { createBestEvaluatorWithReason } from '../../nets/best-evaluator.ts';
import { OnnxEvaluator } from '../../nets/onnx-evaluator.ts';
import type { Evaluator, Game, Symmetry } from '../../env/games/game.ts';
import { Rng } from '../../util/rng.ts';
import { removeStaleTemporaries, writeFileAtomic, writeJsonAtomic } from '../../util/fs.ts';
import { UserError } from '../../util/errors.ts';
import { makeGame } from './games.ts';
import { defaultConfig, evalSims, validateConfig, type AZConfig } from './config.ts';
import { PipelineEvents } from './events.ts';
import { ReplayBuffer } from './replay-buffer.ts';
import { Trainer } from './trainer.ts';
import { buildNet, describeSpec, findNetDir, getWeightBlob, loadNet, netSpecFor, saveNet, setWeightBlob, type NetSpec, type WeightBlob } from './net.ts';
import { MODEL_FILE } from '../../nets/io.ts';
import { gameTargets, selfPlaySettings, type GameHooks, type PlayedGame } from './selfplay.ts';
import { InThreadRunner, WorkerRunner, type SelfPlayRunner, type WorkerStat } from './runner.ts';
import { calibrateResign, type ResignRecord } from './resign.ts';
import { EloLadder } from './elo.ts';
import { batched } from '../../mcts/batching.ts';
import { summarizeMatch } from '../../players/match.ts';
import { netPlayer, type NetPlayerOptions } from '../../players/net.ts';
import { gate, passesGate, type GateResult } from './gating.ts';
import { measureStrength } from './strength.ts';
import { outsideYardstickFor } from './yardsticks.ts';
import { generationName, loadCheckpoint, saveCheckpoint, updateCheckpointClock, type Checkpoint, type RunState } from './checkpoint.ts';
import { recordFormatFor } from '../../env/games/records.ts';

export interface PipelineOptions {
  runDir: string;
  config: AZConfig;
  /** Continue from the checkpoint in runDir (its config is used; `config` may only change run limits). */
  resume?: boolean;
  events?: PipelineEvents;
  /** Backend name for worker threads (the main thread's backend is set by the caller). */
  backend?: string;
  /**
   * Build the self-play runner instead of the default (in this thread, or `config.workers` worker
   * threads), e.g. a cluster's. It gets the self-play weights before every generation's games.
   */
  runnerFactory?: (p: { game: Game; config: AZConfig; spec: NetSpec }) => Promise<SelfPlayRunner>;
  /**
   * The run's metrics log (attachMetricsLog's file): each checkpoint records its length, and a
   * resumed run cuts it back to that (dropping events of generations not completed, a torn last
   * line among them), so no event is doubled or lost around a kill. A new run starts it empty.
   */
  metricsPath?: string;
}

/** Resignation records kept for calibration (a sliding window). */
const RESIGN_WINDOW = 2000;

/** One generation's self-play games, being played. */
interface SelfPlayJob {
  generation: number;
  result: Promise<SelfPlayResult>;
  /** Whether the net these games play with has been trained (or came from initModel). */
  trainedNet: boolean;
}

interface SelfPlayResult {
  games: PlayedGame[];
  stats: WorkerStat[];
  /** Seconds from the first game's start to the last game's end. */
  seconds: number;
}

export class Pipeline {
  readonly game: Game;
  readonly config: AZConfig;
  readonly runDir: string;
  readonly events: PipelineEvents;
  readonly spec: NetSpec;
  readonly current: tf.LayersModel;
  readonly best: tf.LayersModel;
  readonly trainer: Trainer;
  buffer: ReplayBuffer;
  state: Omit<RunState, 'format' | 'config' | 'rng' | 'elo'>;
  readonly rng: Rng;
  readonly elo: EloLadder;
  private readonly syms: Symmetry[] | undefined;
  private runner: SelfPlayRunner | null = null;
  private onnxInThread: OnnxEvaluator | null = null;
  private stopRequested = false;
  private readonly backend: string | undefined;
  private readonly runnerFactory: PipelineOptions['runnerFactory'];
  /** Overlapped self-play: the next generation's games, under way. */
  private pending: SelfPlayJob | null = null;
  /** Overlapped self-play: the weights the next generation's games play with (saved in the checkpoint). */
  private pendingBlob: WeightBlob | null = null;
  /** The run's metrics file, whose length each checkpoint records (PipelineOptions.metricsPath). */
  private readonly metricsPath: string | undefined;
  /** What create() found and mended, said as 'log' events when the run starts. */
  private notes: string[] = [];

  private constructor(o: PipelineOptions, game: Game, ckpt: Awaited<ReturnType<typeof loadCheckpoint>> | null) {
    this.runDir = o.runDir;
    this.events = o.events ?? new PipelineEvents();
    this.backend = o.backend;
    this.runnerFactory = o.runnerFactory;
    this.game = game;
    this.metricsPath = o.metricsPath;
    this.config = ckpt ? resumedConfig(ckpt.state.config, o.config) : o.config;
    const c = this.config;
    this.spec = netSpecFor(game, c.arch, c.blocks, c.filters, c.policyHead);
    this.syms = c.augment ? game.symmetries?.() : undefined;
    this.current = ckpt ? ckpt.current.model : buildNet(this.spec, c.seed);
    this.best = ckpt ? ckpt.best.model : buildNet(this.spec, c.seed);
    if (!ckpt) setWeightBlob(this.best, getWeightBlob(this.current));
    this.trainer = new Trainer(this.current, { optimizer: c.optimizer, lrSchedule: c.lrSchedule, momentum: c.momentum, l2: c.l2 });
    const obsSize = game.observationShape.reduce((a, b) => a * b, 1);
    this.buffer = ckpt ? ckpt.buffer : new ReplayBuffer(c.bufferPositions, obsSize, game.numActions);
    this.rng = new Rng(`pipeline:${c.seed}`);
    this.elo = ckpt ? EloLadder.fromJSON(ckpt.state.elo) : new EloLadder();
    this.pendingBlob = ckpt?.selfPlayWeights ?? null;
    if (ckpt) {
      this.rng.setState(ckpt.state.rng);
      const { format: _f, config: _c, rng: _r, elo: _e, ...rest } = ckpt.state;
      this.state = rest;
    } else {
      this.state = { generation: 0, bestGeneration: 0, trainStep: 0, totalGames: 0, totalPositions: 0, elapsedSec: 0, resignThreshold: null, resignRecords: [] };
    }
  }

  /** Create a new run in runDir, or resume the one there. */
  static async create(o: PipelineOptions): Promise<Pipeline> {
    let ckpt: Awaited<ReturnType<typeof loadCheckpoint>> | null = null;
    let game: Game;
    const notes: string[] = [];
    // Writes a killed process left half done: atomic-write temporaries, a checkpoint never swapped in.
    for (const name of removeStaleTemporaries(o.runDir, ['checkpoint.tmp'])) notes.push(`removed ${name}, left by a run killed while writing it`);
    if (o.resume) {
      if (!existsSync(o.runDir)) throw new UserError(`cannot resume: ${o.runDir} does not exist`);
      try {
        ckpt = await loadCheckpoint(o.runDir);
        const config = resumedConfig(ckpt.state.config, o.config);
        validateConfig(config, 'the checkpoint\'s config');
        game = makeGame(config.game, config.gameParams);
        checkCheckpointNets(ckpt, netSpecFor(game, config.arch, config.blocks, config.filters, config.policyHead), config.game);
      } catch (e) {
        ckpt?.current.model.dispose();
        ckpt?.best.model.dispose();
        throw new UserError(`cannot resume ${o.runDir}: ${(e as Error).message}`);
      }
      if (o.metricsPath) trimMetrics(o.metricsPath, ckpt.state.metricsBytes, ckpt.state.generation);
    } else {
      if (existsSync(join(o.runDir, 'checkpoint', 'state.json'))) {
        throw new UserError(`${o.runDir} already holds a run; use --resume ${o.runDir} to continue it, or pick another --out`);
      }
      game = makeGame(o.config.game, o.config.gameParams);
      // Metrics of an earlier run here that never reached a checkpoint are not this run's.
      if (o.metricsPath && existsSync(o.metricsPath) && statSync(o.metricsPath).size > 0) {
        truncateSync(o.metricsPath, 0);
        notes.push(`${o.metricsPath} held the metrics of a run that left no checkpoint; they start afresh`);
      }
    }
    const p = new Pipeline(o, game, ckpt);
    p.notes = notes;
    if (ckpt) {
      try {
        await p.trainer.setState(ckpt.optimizer, ckpt.state.trainStep);
      } catch (e) {
        p.dispose();
        throw new UserError(`cannot resume ${o.runDir}: checkpoint/optimizer.bin does not fit the net (${(e as Error).message})`);
      }
    } else if (p.config.initModel) await p.initFrom(p.config.initModel);
    mkdirSync(o.runDir, { recursive: true });
    if (!ckpt) writeJsonAtomic(join(o.runDir, 'config.json'), p.config);
    return p;
  }

  /** Copy a saved net's weights into the current and best nets (a new run's warm start). */
  private async initFrom(dir: string): Promise<void> {
    const netDir = findNetDir(dir);
    if (!netDir) throw new UserError(`initModel: no net found in ${dir} (expected a net directory with ${MODEL_FILE}, a run directory or a checkpoint)`);
    const loaded = await loadNet(netDir);
    try {
      const s = loaded.spec;
      const want = this.spec;
      const same = describeSpec(s) === describeSpec(want) && s.numActions === want.numActions && s.inputShape.join('x') === want.inputShape.join('x');
      if (!same) {
        throw new UserError(`initModel ${netDir}: its net is ${describeSpec(s)} on ${s.inputShape.join('x')} with ${s.numActions} actions; ` +
          `this run needs ${describeSpec(want)} on ${want.inputShape.join('x')} with ${want.numActions} actions (set arch, blocks, filters and policyHead to match)`);
      }
      const blob = getWeightBlob(loaded.model);
      setWeightBlob(this.current, blob);
      setWeightBlob(this.best, blob);
    } finally {
      loaded.model.dispose();
    }
  }

  /** Ask the run to stop after the current generation. */
  requestStop(): void {
    this.stopRequested = true;
  }

  private pauseGate: { promise: Promise<void>; release: () => void } | null = null;
  private checkpointing: Promise<void> | null = null;

  /** True while self-play and training are held by setPaused(true). */
  get paused(): boolean {
    return this.pauseGate !== null;
  }

  /**
   * Hold self-play (before each game's next search, in workers too) and training (before the next
   * step), or release them. An evaluation match already running plays on.
   */
  setPaused(paused: boolean): void {
    if (paused && !this.pauseGate) {
      let release = (): void => {};
      const promise = new Promise<void>((r) => (release = r));
      this.pauseGate = { promise, release };
    } else if (!paused && this.pauseGate) {
      this.pauseGate.release();
      this.pauseGate = null;
    }
    this.runner?.setPaused(paused);
  }

  /** Resolves when no checkpoint is being written (at once if none is). */
  async checkpointWritten(): Promise<void> {
    while (this.checkpointing) await this.checkpointing;
  }

  /**
   * Save the network being trained now, mid-generation, as models/snapshot-<generation>-<step>
   * (a model directory `tengen play --model` and `bestmove` read). The resumable checkpoint is
   * still the one written at the end of every generation. Returns the directory.
   */
  async saveSnapshot(): Promise<string> {
    const c = this.config;
    const dir = join(this.runDir, 'models', `snapshot-${generationName(this.state.generation)}-step${this.trainer.step}`);
    await saveNet(dir, this.spec, this.current, { generation: this.state.generation, trainStep: this.trainer.step, game: c.game, gameParams: c.gameParams });
    return dir;
  }

  private selfPlayModel(): tf.LayersModel {
    return this.config.mode === 'zero' ? this.best : this.current;
  }

  private async ensureRunner(): Promise<SelfPlayRunner> {
    if (this.runner) return this.runner;
    const c = this.config;
    // In-thread self-play reads the mode's model object itself, which always holds the self-play
    // weights; an onnxruntime evaluator is re-exported from it before every generation's games.
    if (this.runnerFactory) {
      this.runner = await this.runnerFactory({ game: this.game, config: c, spec: this.spec });
    } else if (c.workers === 0) {
      const best = await createBestEvaluatorWithReason(this.game, this.selfPlayModel(), { prefer: c.inference ?? 'auto' });
      if (best.evaluator instanceof OnnxEvaluator) this.onnxInThread = best.evaluator;
      this.runner = new InThreadRunner(this.game, best.evaluator, best.fallbackReason === undefined ? 'onnxruntime' : `tfjs (${best.fallbackReason})`);
    } else {
      this.runner = await WorkerRunner.start(c.workers, { game: c.game, gameParams: c.gameParams, spec: this.spec, backend: this.backend, inference: c.inference ?? 'auto' });
    }
    this.events.emit('log', { message: `self-play inference: ${this.runner.inference}` });
    if (c.overlapSelfPlay && !this.overlapActive()) {
      this.events.emit('log', { message: `overlapSelfPlay needs local worker threads (workers >= 1, no cluster); self-play runs before training` });
    }
    return this.runner;
  }

  /** True when the next generation's self-play runs during this generation's training. */
  private overlapActive(): boolean {
    return this.config.overlapSelfPlay && this.config.workers > 0 && !this.runnerFactory;
  }

  /**
   * Start generation g's self-play games. `blob`: the weights to play with (overlapped self-play);
   * null: the self-play model's weights now.
   */
  private launchSelfPlay(runner: SelfPlayRunner, g: number, blob: WeightBlob | null, trainedNet: boolean): SelfPlayJob {
    const c = this.config;
    const indices = Array.from({ length: c.gamesPerGeneration }, (_, k) => this.state.totalGames + k);
    const req = { generation: g, indices, settings: selfPlaySettings(c, this.state.resignThreshold), runSeed: c.seed, concurrency: c.concurrentGames, live: this.events.listenerCount('game:move') > 0 };
    const hooks: GameHooks = {
      onStart: (gameIndex) => this.events.emit('game:start', { generation: g, gameIndex, worker: c.workers > 0 ? gameIndex % c.workers : 0 }),
      onMove: (gameIndex, moveNumber, move, rootValue, candidates) => this.events.emit('game:move', { generation: g, gameIndex, move, moveNumber, rootValue, candidates }),
      beforeMove: () => this.pauseGate?.promise,
      onEnd: (pg) => this.events.emit('game:end', { generation: g, gameIndex: pg.gameIndex, worker: 0, moves: pg.moveStrings, returns: pg.returns, resigned: pg.resigned, resignDisabled: pg.resignDisabled, length: pg.moves.length }),
    };
    const play = async (): Promise<SelfPlayResult> => {
      if (blob) await runner.setWeights(blob);
      else if (c.workers > 0 || this.runnerFactory) await runner.setWeights(getWeightBlob(this.selfPlayModel()));
      else if (this.onnxInThread) await this.onnxInThread.refresh();
      const ts = performance.now();
      const r = await runner.play(req, hooks);
      return { ...r, seconds: (performance.now() - ts) / 1000 };
    };
    const result = play();
    this.events.emit('selfplay:start', { generation: g, games: indices.length });
    // Awaited by the generation that needs the games; a run stopped before then drops them unobserved.
    result.catch(() => {});
    return { generation: g, result, trainedNet };
  }

  /** Whether the self-play net as it is now has been trained (zero mode: a candidate was accepted). */
  private selfPlayNetTrained(): boolean {
    return this.config.initModel !== '' || (this.config.mode === 'zero' ? this.state.bestGeneration > 0 : this.trainer.step > 0);
  }

  private evalAgentOptions(): NetPlayerOptions {
    const c = this.config;
    return { simulations: evalSims(c), cPuct: c.cPuct, mctsBatchSize: c.mctsBatchSize, virtualLoss: c.virtualLoss, temperatureMoves: c.evalTemperatureMoves };
  }

  /** Run generations until a limit or a stop request. */
  async run(): Promise<void> {
    const c = this.config;
    const t0 = performance.now();
    const elapsed0 = this.state.elapsedSec;
    this.events.emit('run:start', { runDir: this.runDir, game: c.game, mode: c.mode, resumedFrom: this.state.generation > 0 ? this.state.generation : null, config: c as unknown as Record<string, unknown> });
    for (const message of this.notes.splice(0)) this.events.emit('log', { message });
    let reason = 'stopped';
    try {
      for (;;) {
        if (c.generations > 0 && this.state.generation >= c.generations) {
          reason = `reached ${c.generations} generations`;
          break;
        }
        const overBudget = budgetStopReason(runSeconds(elapsed0, t0), this.state.lastGenerationSec, c.minutes);
        if (overBudget !== null) {
          reason = overBudget;
          break;
        }
        if (this.stopRequested) break;
        await this.generation(elapsed0, t0);
      }
    } finally {
      await this.close();
    }
    this.events.emit('run:end', { generation: this.state.generation, reason });
  }

  /**
   * One full generation: self-play -> training -> evaluation (gate / Elo) -> strength yardsticks ->
   * checkpoint -> yardsticks against outside programs (after the checkpoint, which saved the net).
   */
  async generation(elapsed0 = this.state.elapsedSec, t0 = performance.now()): Promise<void> {
    const g = this.state.generation + 1;
    const tg = performance.now();
    this.events.emit('generation:start', { generation: g, bestGeneration: this.state.bestGeneration });
    const positions = await this.selfPlayPhase(g);
    const steps = await this.trainPhase(g, positions);
    const currentEval = batched(new NetEvaluator(this.game, this.current));
    const bestEval = batched(new NetEvaluator(this.game, this.best));
    const elo = await this.evaluatePhase(g, steps, currentEval, bestEval);
    await this.strengthPhase(g, this.config.mode === 'zero' ? bestEval : currentEval);
    await this.checkpointPhase(g, elapsed0, t0);
    await this.outsideYardstickPhase(g);
    // The run's clock counts the whole generation, the work after the checkpoint too: a caller that
    // runs generation() itself (bench/alphazero) starts the next one from this figure, and the next
    // checkpoint saves it (a 9x9 run lost about 10 s a generation, GNU Go games and the write: 6 minutes in 3 hours).
    // The checkpoint just written gets it too, so a run that ends (or is killed) here resumes with the whole clock.
    this.state.elapsedSec = runSeconds(elapsed0, t0);
    this.state.lastGenerationSec = (performance.now() - tg) / 1000;
    this.events.emit('generation:end', {
      generation: g, bestGeneration: this.state.bestGeneration, seconds: this.state.lastGenerationSec, totalGames: this.state.totalGames,
      totalPositions: this.state.totalPositions, trainSteps: this.state.trainStep, elo: this.elo.has(g) ? this.elo.ratingOf(g) : elo,
    });
    // The generation's last events are written: the checkpoint now owns the metrics up to here.
    this.state.metricsBytes = this.metricsLength();
    updateCheckpointClock(this.runDir, g, { elapsedSec: this.state.elapsedSec, lastGenerationSec: this.state.lastGenerationSec, ...(this.state.metricsBytes !== undefined ? { metricsBytes: this.state.metricsBytes } : {}) });
  }

  /** metrics.jsonl's length now (undefined when the run keeps none). */
  private metricsLength(): number | undefined {
    if (!this.metricsPath) return undefined;
    return existsSync(this.metricsPath) ? statSync(this.metricsPath).size : 0;
  }

  /**
   * Generation g's self-play games (with overlapSelfPlay, usually launched during the previous
   * generation) into the replay buffer; saves them and recalibrates resignation. Returns the
   * number of positions added.
   */
  private async selfPlayPhase(g: number): Promise<number> {
    const c = this.config;
    const runner = await this.ensureRunner();
    let job = this.pending;
    this.pending = null;
    if (!job || job.generation !== g) {
      const saved = this.overlapActive() ? this.pendingBlob : null;
      // Weights saved by a checkpoint from before this flag existed count as trained (as they were).
      const trained = saved ? (this.state.selfPlayWeightsTrained ?? true) : this.selfPlayNetTrained();
      job = this.launchSelfPlay(runner, g, this.overlapActive() ? (saved ?? getWeightBlob(this.selfPlayModel())) : null, trained);
    }
    const { games, stats, seconds: spSecs } = await job.result;
    let positions = 0;
    for (const pg of games) {
      this.buffer.addGame(gameTargets(pg, this.config.valueTargetQ));
      positions += pg.positions.length;
    }
    this.state.totalGames += games.length;
    this.state.totalPositions += positions;
    for (const s of stats) this.events.emit('worker:stats', s);
    const p0 = games.filter((x) => x.returns[0] > 0).length;
    const p1 = games.filter((x) => x.returns[1] > 0).length;
    this.events.emit('selfplay:done', {
      generation: g, games: games.length, positions, seconds: spSecs, gamesPerSec: games.length / spSecs, positionsPerSec: positions / spSecs,
      avgLength: games.reduce((n, x) => n + x.moves.length, 0) / Math.max(1, games.length), resigned: games.filter((x) => x.resigned).length,
      p0Wins: p0, p1Wins: p1, draws: games.length - p0 - p1,
    });
    if (c.saveGames) await this.saveGames(g, games);
    this.updateResign(games, job.trainedNet);
    if (this.overlapActive()) {
      // The next generation's games play with the self-play net as it is now, during this training.
      // The checkpoint keeps these weights, so a resumed run replays exactly those games.
      this.pendingBlob = getWeightBlob(this.selfPlayModel());
      this.state.selfPlayWeightsTrained = this.selfPlayNetTrained();
      const last = c.generations > 0 && g >= c.generations;
      if (!last && !this.stopRequested) this.pending = this.launchSelfPlay(runner, g + 1, this.pendingBlob, this.state.selfPlayWeightsTrained);
    } else {
      this.pendingBlob = null;
      delete this.state.selfPlayWeightsTrained;
    }
    return positions;
  }

  /** Train on the buffer (once it holds minBufferPositions); returns the steps taken (0: none). */
  private async trainPhase(g: number, positions: number): Promise<number> {
    const c = this.config;
    const tt = performance.now();
    let steps = 0;
    let last = { valueLoss: NaN, policyLoss: NaN, policyEntropy: NaN };
    let samples = 0;
    if (this.buffer.size >= c.minBufferPositions) {
      steps = c.trainSteps > 0 ? c.trainSteps : Math.max(1, Math.ceil((positions * c.samplesPerPosition) / c.batchSize));
      let vl = 0;
      let pl = 0;
      let ent = 0;
      for (let k = 0; k < steps; k++) {
        if (this.pauseGate) await this.pauseGate.promise;
        // Let timers, worker messages and the terminal UI run between steps (a step is milliseconds or more).
        await new Promise<void>((r) => setImmediate(r));
        const batch = this.buffer.sample(c.batchSize, this.rng, this.syms);
        const st = this.trainer.trainStep(batch);
        samples += batch.n;
        vl += st.valueLoss;
        pl += st.policyLoss;
        ent += st.policyEntropy;
        this.events.emit('train:batch', st);
      }
      last = { valueLoss: vl / steps, policyLoss: pl / steps, policyEntropy: ent / steps };
    }
    this.state.trainStep = this.trainer.step;
    const trSecs = (performance.now() - tt) / 1000;
    this.events.emit('train:done', { generation: g, steps, seconds: trSecs, ...last, samplesPerSec: samples / Math.max(trSecs, 1e-9), bufferPositions: this.buffer.size });
    return steps;
  }

  /**
   * The candidate (the net just trained) against the best net: the gate in 'zero' mode, the Elo
   * ladder in both; the best net becomes the candidate when accepted. Returns the Elo of the best net.
   */
  private async evaluatePhase(g: number, steps: number, currentEval: Evaluator, bestEval: Evaluator): Promise<number> {
    const c = this.config;
    let accepted = true;
    let elo = this.elo.has(this.state.bestGeneration) ? this.elo.ratingOf(this.state.bestGeneration) : 0;
    if (c.evalGames > 0 && steps > 0) {
      const ao = this.evalAgentOptions();
      const onGameEnd = (done: number, total: number): void => this.events.emit('eval:progress', { generation: g, opponent: `gen ${this.state.bestGeneration}`, done, total });
      let r: GateResult;
      if (this.runner?.playMatch) {
        // A cluster: the workers play the gate's games (same game numbers and seeds as a local match).
        const games = await this.runner.playMatch(
          { generation: g, candidate: getWeightBlob(this.current), best: getWeightBlob(this.best), games: c.evalGames, seed: matchSeed(c.seed, g), agent: ao, concurrency: 8 },
          onGameEnd,
        );
        const m = summarizeMatch(games);
        r = { ...m, accepted: passesGate(m.score, c.gatingThreshold), threshold: c.gatingThreshold };
      } else {
        r = await gate(this.game, netPlayer(this.game, currentEval, ao), netPlayer(this.game, bestEval, ao), c.evalGames, c.gatingThreshold, matchSeed(c.seed, g), 8, onGameEnd);
      }
      accepted = c.mode === 'alphazero' ? true : r.accepted;
      elo = this.elo.record(g, this.state.bestGeneration, r.score, c.evalGames);
      this.events.emit('eval:result', { generation: g, candidate: g, best: this.state.bestGeneration, wins: r.wins, draws: r.draws, losses: r.losses, score: r.score, accepted, elo });
    } else if (steps === 0) {
      accepted = false;
    }
    if (accepted) {
      if (!this.elo.has(g)) this.elo.record(g, this.state.bestGeneration, 0.5, 0);
      setWeightBlob(this.best, getWeightBlob(this.current));
      this.state.bestGeneration = g;
    }
    return elo;
  }

  /** The self-play net against the strength yardsticks (random; the solver or pure MCTS). */
  private async strengthPhase(g: number, selfPlayEval: Evaluator): Promise<void> {
    const c = this.config;
    if (c.strengthGames <= 0) return;
    const res = await measureStrength(this.game, selfPlayEval, { ...this.evalAgentOptions(), temperatureMoves: Math.min(2, c.evalTemperatureMoves) }, c.strengthGames, c.baselineRollouts, matchSeed(c.seed, g) + 7, (opponent, done, total) =>
      this.events.emit('eval:progress', { generation: g, opponent, done, total }),
    );
    for (const r of res) this.events.emit('strength', { generation: g, ...r });
  }

  /** Write the generation's net and the resumable checkpoint (checkpointWritten() waits for it). */
  private async checkpointPhase(g: number, elapsed0: number, t0: number): Promise<void> {
    const tc = performance.now();
    let done = (): void => {};
    this.checkpointing = new Promise<void>((r) => (done = r));
    try {
      await this.writeCheckpoint(g, elapsed0, t0);
    } finally {
      this.checkpointing = null;
      done();
    }
    this.events.emit('checkpoint', { generation: g, dir: join(this.runDir, 'checkpoint'), seconds: (performance.now() - tc) / 1000 });
  }

  /** The game's yardstick against an outside program (Go: GNU Go), played by the net the checkpoint saved. */
  private async outsideYardstickPhase(g: number): Promise<void> {
    const yardstick = await outsideYardstickFor(this.game);
    if (!yardstick) return;
    const r = await yardstick({
      game: this.game, config: this.config, generation: g, modelDir: join(this.runDir, 'models', generationName(g)), runDir: this.runDir,
      ...(this.backend !== undefined ? { backend: this.backend } : {}),
      onGame: (opponent, done, total) => this.events.emit('eval:progress', { generation: g, opponent, done, total }),
      log: (message) => this.events.emit('log', { message }),
    });
    if (r) this.events.emit('strength', { generation: g, ...r });
  }

  private async writeCheckpoint(g: number, elapsed0: number, t0: number): Promise<void> {
    const c = this.config;
    this.state.generation = g;
    this.state.elapsedSec = runSeconds(elapsed0, t0);
    const metricsBytes = this.metricsLength();
    if (metricsBytes !== undefined) this.state.metricsBytes = metricsBytes;
    await saveNet(join(this.runDir, 'models', generationName(g)), this.spec, this.current, { generation: g, game: c.game, gameParams: c.gameParams });
    await saveCheckpoint(this.runDir, { format: 'tengen-az-checkpoint-1', ...this.state, rng: this.rng.getState(), elo: this.elo.toJSON(), config: c }, this.spec, this.current, this.best, await this.trainer.getState(), this.buffer, this.pendingBlob);
  }

  private updateResign(games: PlayedGame[], trainedNet: boolean): void {
    const c = this.config;
    // Games played by an untrained net (random weights: generation 1, 2 with overlapped self-play,
    // later ones while the buffer is below minBufferPositions or no candidate was accepted) say
    // nothing about the values of a trained one: a threshold calibrated on them made a 9x9 run
    // resign 55 of its 64 second-generation games by move 10.
    if (!trainedNet) return;
    const fresh: ResignRecord[] = games.filter((x) => x.resignDisabled && !x.resigned).map((x) => ({ minValue: x.minValue, returns: x.returns }));
    // With resignation off altogether every game counts; else only the check fraction.
    this.state.resignRecords = [...this.state.resignRecords, ...fresh].slice(-RESIGN_WINDOW);
    if (!c.resign) return;
    const cal = calibrateResign(this.state.resignRecords, c.resignMaxFalsePositive, c.resignMinGames);
    this.state.resignThreshold = cal.threshold;
    this.events.emit('resign:calibrated', cal);
  }

  /** The generation's games as JSON lines, and in the game's own record format where it has one (Go: SGF). */
  private async saveGames(g: number, games: PlayedGame[]): Promise<void> {
    const lines = games.map((x) => JSON.stringify({
      generation: g, index: x.gameIndex, game: this.config.game, moves: x.moveStrings, actions: x.moves, returns: x.returns,
      resigned: x.resigned, resignDisabled: x.resignDisabled, final: x.final,
    }));
    writeFileAtomic(join(this.runDir, 'games', `${generationName(g)}.jsonl`), lines.join('\n') + '\n');
    const format = await recordFormatFor(this.game);
    if (format) {
      const player = `tengen selfplay gen ${g}`;
      const text = format.write(this.game, games, { playerFirst: player, playerSecond: player, date: new Date().toISOString().slice(0, 10) });
      writeFileAtomic(join(this.runDir, 'games', `${generationName(g)}.${format.extension}`), text);
    }
  }

  /** Quitting at once: stop the self-play games where they are (SelfPlayRunner.halt); the pipeline cannot go on. */
  async haltSelfPlay(): Promise<void> {
    await this.runner?.halt?.();
  }

  async close(): Promise<void> {
    this.pending = null;
    if (this.runner) await this.runner.close();
    this.runner = null;
    if (this.onnxInThread) await this.onnxInThread.dispose();
    this.onnxInThread = null;
  }

  /** Free the models and optimizer (tests and embedding callers). */
  dispose(): void {
    this.trainer.dispose();
    this.current.dispose();
    this.best.dispose();
  }
}

/**
 * A time budget of `minutes` (0 = none) with `elapsedSec` used: null while another generation fits,
 * else why the run stops. The next generation is taken to last as long as the last one
 * (`lastGenerationSec`; unknown before the first), so a run ends within its budget instead of
 * starting a generation at minute 179 of 180.
 */
export function budgetStopReason(elapsedSec: number, lastGenerationSec: number | undefined, minutes: number): string | null {
  if (minutes <= 0) return null;
  if (elapsedSec >= minutes * 60) return `reached ${minutes} minutes`;
  const next = lastGenerationSec ?? 0;
  if (elapsedSec + next > minutes * 60) {
    return `stopped at ${(elapsedSec / 60).toFixed(1)} minutes: another generation (about ${(next / 60).toFixed(1)} minutes, as long as the last) would end past the ${minutes}-minute limit`;
  }
  return null;
}

/** The run's clock: the seconds saved before this process's run (elapsed0) plus those since t0. */
function runSeconds(elapsed0: number, t0: number): number {
  return elapsed0 + (performance.now() - t0) / 1000;
}

function matchSeed(seed: number, generation: number): number {
  return (Math.imul(seed, 1_000_003) + generation * 7919) >>> 0;
}

/**
 * The config a resumed run runs with: the checkpoint's, except the run limits the caller may change
 * (generations, minutes, workers, progressInterval). A run saved before a setting existed resumes
 * with that setting's default, except settings that shape the net, which resume as the net was
 * built then (the policy head was always 'dense').
 */
export function resumedConfig(saved: AZConfig, given: AZConfig): AZConfig {
  const netAsBuiltThen: Partial<AZConfig> = { policyHead: 'dense' };
  return { ...defaultConfig(saved.game), ...netAsBuiltThen, ...saved, generations: given.generations, minutes: given.minutes, workers: given.workers, progressInterval: given.progressInterval };
}

/** The settings a resumed run takes from the caller; every other one is the checkpoint's. */
export const RESUMABLE_SETTINGS: readonly (keyof AZConfig)[] = ['generations', 'minutes', 'workers', 'progressInterval'];

/** Refuse checkpoint nets that are not the run's (a Connect Four net copied into a tic-tac-toe run). */
function checkCheckpointNets(ckpt: Checkpoint, want: NetSpec, gameName: string): void {
  for (const [name, net] of [['current', ckpt.current], ['best', ckpt.best]] as const) {
    const s = net.spec;
    if (s.inputShape.join('x') !== want.inputShape.join('x') || s.numActions !== want.numActions || (s.filters > 0 && describeSpec(s) !== describeSpec(want))) {
      throw new Error(`checkpoint/${name} holds a ${describeSpec(s)} net on ${s.inputShape.join('x')} with ${s.numActions} actions; the run (${gameName}) needs ${describeSpec(want)} on ${want.inputShape.join('x')} with ${want.numActions} actions`);
    }
  }
}

/**
 * Cut a run's metrics back to what a checkpoint of generation `generation` holds: its first
 * `bytes` (all of it for older checkpoints), without a torn last line, and without events of later
 * generations (overlapped self-play starts the next generation's games before the checkpoint).
 */
export function trimMetrics(path: string, bytes: number | undefined, generation: number): void {
  if (!existsSync(path)) return;
  const text = readFileSync(path).subarray(0, bytes).toString('utf8');
  const end = text.lastIndexOf('\n') + 1;
  const kept = text.slice(0, end).split('\n').filter((line) => {
    if (line === '') return false;
    try {
      const g = (JSON.parse(line) as { generation?: unknown }).generation;
      return !(typeof g === 'number' && g > generation);
    } catch {
      return false; // a line no one can read (torn by a kill in an older run)
    }
  });
  writeFileAtomic(path, kept.length ? kept.join('\n') + '\n' : '');
}

/** The config stored in a run directory (for `--resume` without other flags). */
export function readRunConfig(runDir: string): AZConfig {
  return JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as AZConfig;
}
