/**
 * Settings of an AlphaZero / AlphaGo Zero run, documented field by field (CleanRL style), with
 * per-game defaults sized for a 2-core CPU so that `tengen selfplay --game G` just works.
 *
 * Precedence: per-game defaults < JSON config file (--config) < CLI flags. Every merged config is
 * validated; a bad setting is a UserError naming the field, the value and what was expected.
 */
import { UserError } from '../../util/errors.ts';

export type Mode = 'zero' | 'alphazero';
export type OptimizerName = 'sgd' | 'adam';

export interface LrStep {
  /** Training step (mini-batch count) from which this rate applies. */
  step: number;
  lr: number;
}

export interface AZConfig {
  /** Game name, as accepted by makeGame(). */
  game: string;
  /** Game parameters (e.g. { size: 9 } for Go). */
  gameParams: Record<string, unknown>;
  /** Master seed: the same seed (and config) gives the same run. */
  seed: number;
  /** 'zero': AlphaGo Zero gating (candidate must beat the best net); 'alphazero': one net, updated continually. */
  mode: Mode;
  /** Stop after this many generations (0 = no limit). */
  generations: number;
  /**
   * Time budget in minutes of wall time, across resumes (0 = no limit): checked between generations,
   * a generation starts only if it should end within the budget (taking it to last as long as the last one).
   */
  minutes: number;
  /** Self-play worker threads; 0 plays in the main thread (deterministic, used by tests). */
  workers: number;

  // --- network ---
  /** 'resnet' (AlphaGo Zero residual tower) or 'mlp' (fully connected; for tiny boards). */
  arch: 'resnet' | 'mlp';
  /** Residual blocks in the tower. */
  blocks: number;
  /** Filters per convolution. */
  filters: number;
  /**
   * resnet policy head: 'dense' (AlphaGo Zero's: flatten -> dense) or 'conv' (a logit per board point
   * from a 1x1 conv; Go's default: the dense head did not learn 9x9 in 3 hours). 'conv' needs a game
   * whose actions are its points (plus pass): not Connect Four.
   */
  policyHead: 'dense' | 'conv';

  // --- self-play ---
  /** Self-play games per generation. */
  gamesPerGeneration: number;
  /** Games played at once in one thread, their leaves batched into one net call. */
  concurrentGames: number;
  /** MCTS simulations per move in self-play. */
  simulations: number;
  /** PUCT exploration constant. */
  cPuct: number;
  /** Root Dirichlet noise alpha (0 = about 10 / legal moves). */
  dirichletAlpha: number;
  /** Weight of the noise at the root. */
  dirichletEpsilon: number;
  /** Leaves gathered per search step (with virtual loss) before one evaluation. */
  mctsBatchSize: number;
  /** Virtual loss per pending leaf. */
  virtualLoss: number;
  /** Moves played with temperature 1 (sampled from pi); later moves take the most visited action. */
  temperatureMoves: number;
  /** Keep the subtree of the played move for the next search. */
  reuseTree: boolean;
  /**
   * Playout-cap randomisation (KataGo, Wu 2019); 0 = off. When > 0, each move gets the full
   * `simulations` search with probability `fullSearchFraction` and becomes a training position; the
   * other moves get this many simulations, without root noise, and are played but not recorded. More
   * games (value targets) for the same compute, with sharper policy targets where they are recorded.
   * A config file or flags that change `simulations` without it scale it in proportion.
   */
  fastSimulations: number;
  /** Share of moves searched in full when fastSimulations > 0 (0 < f <= 1). */
  fullSearchFraction: number;
  /**
   * Play the next generation's self-play games while this generation trains (worker threads only): the
   * games use the self-play net of the generation before, one training round older, as AlphaZero's
   * asynchronous self-play does. Pays only where a core is free beside the training thread (2 cores, Connect
   * Four: 9% faster with 1 worker, nothing with 2: bench/results/alphazero-connect4.md).
   */
  overlapSelfPlay: boolean;
  /**
   * Weight w of the search's root value q in the value target: (1 - w) z + w q. 0 (the papers) trains
   * on the game's outcome z alone; a little q lowers the target's noise on long games.
   */
  valueTargetQ: number;

  // --- resignation ---
  /** Allow resignation once a threshold is calibrated. */
  resign: boolean;
  /** Fraction of self-play games played with resignation off, to measure false positives. */
  resignCheckFraction: number;
  /** Largest tolerated false-positive rate among would-be resignations. */
  resignMaxFalsePositive: number;
  /** No-resign games needed before a threshold is set. */
  resignMinGames: number;

  // --- replay buffer and training ---
  /** Sliding window: positions kept (the oldest are dropped first). */
  bufferPositions: number;
  /** Augment samples with a random board symmetry. */
  augment: boolean;
  /** Mini-batch size. */
  batchSize: number;
  /** Mini-batches per generation (0 = derive from samplesPerPosition). */
  trainSteps: number;
  /** When trainSteps is 0: each new position is sampled this many times on average. */
  samplesPerPosition: number;
  /** Positions the buffer must hold before training starts. */
  minBufferPositions: number;
  optimizer: OptimizerName;
  /** Learning rate schedule: piecewise constant by training step; the first entry must be step 0. */
  lrSchedule: LrStep[];
  momentum: number;
  /** L2 weight regularisation c in the loss. */
  l2: number;

  // --- evaluation ---
  /** Evaluation games per generation (candidate vs best; 0 disables gating in 'zero' mode and the Elo ladder). */
  evalGames: number;
  /** MCTS simulations per move in evaluation games. */
  evalSimulations: number;
  /** Opening moves sampled with temperature 1 in evaluation games, so games differ. */
  evalTemperatureMoves: number;
  /** Score (wins + draws/2, over games) the candidate needs to replace the best net. */
  gatingThreshold: number;
  /** Games per generation against each strength yardstick (random, solver or pure MCTS). */
  strengthGames: number;
  /** Rollouts of the pure-MCTS yardstick, where the game has no solver. */
  baselineRollouts: number;
  /** Go only: games against GNU Go each generation (0: none; skipped where gnugo is not installed). */
  gnugoGames: number;
  /** GNU Go --level for that yardstick (0..10). */
  gnugoLevel: number;

  // --- output ---
  /** Seconds between progress lines when not on a TTY. */
  progressInterval: number;
  /** Save every self-play game (JSON lines per generation). */
  saveGames: boolean;
  /** Self-play inference: 'auto' (onnxruntime where it loads, else tfjs), 'onnxruntime' or 'tfjs'. */
  inference: 'auto' | 'onnxruntime' | 'tfjs';
  /**
   * Start a new run from this net's weights instead of random ones (a net directory, a run directory
   * or a checkpoint, as `--model` takes); its architecture must match the run's. '' = from scratch.
   */
  initModel: string;
}

const BASE: Omit<AZConfig, 'game' | 'gameParams' | 'blocks' | 'filters' | 'gamesPerGeneration' | 'simulations' | 'bufferPositions' | 'batchSize' | 'dirichletAlpha'> = {
  seed: 1,
  arch: 'resnet',
  policyHead: 'dense',
  mode: 'zero',
  generations: 0,
  minutes: 0,
  workers: 1,
  concurrentGames: 16,
  cPuct: 1.5,
  dirichletEpsilon: 0.25,
  mctsBatchSize: 8,
  virtualLoss: 3,
  temperatureMoves: 8,
  reuseTree: true,
  fastSimulations: 0,
  fullSearchFraction: 0.25,
  overlapSelfPlay: false,
  valueTargetQ: 0,
  resign: true,
  resignCheckFraction: 0.1,
  resignMaxFalsePositive: 0.05,
  resignMinGames: 20,
  augment: true,
  trainSteps: 0,
  samplesPerPosition: 4,
  minBufferPositions: 256,
  optimizer: 'sgd',
  lrSchedule: [{ step: 0, lr: 0.02 }],
  momentum: 0.9,
  l2: 1e-4,
  evalGames: 40,
  evalSimulations: 0,
  evalTemperatureMoves: 2,
  gatingThreshold: 0.55,
  strengthGames: 20,
  baselineRollouts: 200,
  gnugoGames: 0,
  gnugoLevel: 1,
  progressInterval: 5,
  saveGames: true,
  inference: 'auto',
  initModel: '',
};

type GameDefaults = Pick<AZConfig, 'blocks' | 'filters' | 'gamesPerGeneration' | 'simulations' | 'bufferPositions' | 'batchSize' | 'dirichletAlpha'> & Partial<AZConfig>;

/** Per-game defaults (sized for a 2-core CPU; raise them on bigger machines). */
export const GAME_DEFAULTS: Record<string, GameDefaults> = {
  tictactoe: {
    // Drawn perfect play stalls a 55% gate, so tic-tac-toe defaults to continual (AlphaZero) updating;
    // every move is sampled (tau = 1) so that self-play reaches the odd positions too.
    mode: 'alphazero', arch: 'mlp', blocks: 3, filters: 64, gamesPerGeneration: 64, simulations: 48, bufferPositions: 20_000, batchSize: 64,
    dirichletAlpha: 1.0, temperatureMoves: 9, concurrentGames: 32, evalGames: 20, samplesPerPosition: 6, minBufferPositions: 128,
    lrSchedule: [{ step: 0, lr: 0.05 }, { step: 3_000, lr: 0.02 }, { step: 6_000, lr: 0.005 }], resign: false, strengthGames: 20,
  },
  // Connect Four and Go: the recipe of the runs that shipped models/connect4 and met the Go 7x7 target
  // (bench/results/alphazero-connect4.md, alphazero-go-7x7.md): continual updating, playout-cap
  // randomisation (a quarter of the moves searched fully and recorded, the rest fast and unrecorded),
  // 16 samples per recorded position from a short window. Connect Four's net and learning-rate steps
  // are run 5's (resnet 6x48, about 14,000 steps in 3 hours on 2 cores).
  connect4: {
    mode: 'alphazero', blocks: 6, filters: 48, gamesPerGeneration: 128, simulations: 200, fastSimulations: 40, fullSearchFraction: 0.25,
    bufferPositions: 30_000, batchSize: 256, dirichletAlpha: 1.0, temperatureMoves: 10, concurrentGames: 32, samplesPerPosition: 16,
    // Resignation resigned 60% of early games at move 13 (run 3's first try): off.
    resign: false,
    lrSchedule: [{ step: 0, lr: 0.02 }, { step: 4_000, lr: 0.01 }, { step: 8_000, lr: 0.005 }, { step: 10_500, lr: 0.002 }],
    evalGames: 20, evalSimulations: 100, strengthGames: 10, baselineRollouts: 1000,
  },
  othello: {
    gameParams: { size: 6 }, blocks: 4, filters: 48, gamesPerGeneration: 64, simulations: 100, bufferPositions: 100_000, batchSize: 256,
    dirichletAlpha: 0.6, temperatureMoves: 10, concurrentGames: 32,
  },
  gomoku: {
    gameParams: { size: 9 }, blocks: 4, filters: 48, gamesPerGeneration: 64, simulations: 100, bufferPositions: 100_000, batchSize: 256,
    dirichletAlpha: 0.15, temperatureMoves: 12, concurrentGames: 32,
  },
  go: {
    mode: 'alphazero', gameParams: { size: 9 }, blocks: 4, filters: 48, policyHead: 'conv', gamesPerGeneration: 64, simulations: 200, fastSimulations: 40,
    fullSearchFraction: 0.25, bufferPositions: 30_000, batchSize: 256, samplesPerPosition: 16, dirichletAlpha: 0.15, temperatureMoves: 12,
    concurrentGames: 32, evalGames: 10, strengthGames: 10, baselineRollouts: 400, gnugoGames: 2,
  },
};

export const DEFAULT_GAME = 'tictactoe';

/** Defaults for one game (unknown games get a clear error). */
export function defaultConfig(game: string): AZConfig {
  const g = GAME_DEFAULTS[game];
  if (!g) throw new UserError(`unknown game '${game}' for selfplay; expected one of: ${Object.keys(GAME_DEFAULTS).join(', ')}`);
  const cfg = { ...BASE, gameParams: {}, ...structuredClone(g), game } as AZConfig;
  if (game === 'go' && cfg.dirichletAlpha === 0) cfg.dirichletAlpha = 0.03;
  return cfg;
}

const FIELD_TYPES: Record<keyof AZConfig, 'int' | 'number' | 'bool' | 'string' | 'object' | 'schedule'> = {
  game: 'string', arch: 'string', policyHead: 'string', gameParams: 'object', seed: 'int', mode: 'string', generations: 'int', minutes: 'number', workers: 'int',
  blocks: 'int', filters: 'int', gamesPerGeneration: 'int', concurrentGames: 'int', simulations: 'int', cPuct: 'number',
  dirichletAlpha: 'number', dirichletEpsilon: 'number', mctsBatchSize: 'int', virtualLoss: 'number', temperatureMoves: 'int',
  reuseTree: 'bool', fastSimulations: 'int', fullSearchFraction: 'number', overlapSelfPlay: 'bool', valueTargetQ: 'number', resign: 'bool', resignCheckFraction: 'number', resignMaxFalsePositive: 'number', resignMinGames: 'int',
  bufferPositions: 'int', augment: 'bool', batchSize: 'int', trainSteps: 'int', samplesPerPosition: 'number',
  minBufferPositions: 'int', optimizer: 'string', lrSchedule: 'schedule', momentum: 'number', l2: 'number', evalGames: 'int',
  evalSimulations: 'int', evalTemperatureMoves: 'int', gatingThreshold: 'number', strengthGames: 'int', baselineRollouts: 'int', gnugoGames: 'int', gnugoLevel: 'int',
  progressInterval: 'number', saveGames: 'bool', inference: 'string', initModel: 'string',
};

export const CONFIG_FIELDS = Object.keys(FIELD_TYPES) as (keyof AZConfig)[];

/**
 * The settings `tengen selfplay` also takes as flags of their own (`--init-model DIR` sets
 * initModel); every other one is `--set key=value`. The flag name is the setting's in kebab case.
 */
export const SETTING_FLAGS: readonly { key: keyof AZConfig; arg: string; help: string }[] = [
  { key: 'generations', arg: 'n', help: 'stop after n generations (0: no limit)' },
  { key: 'minutes', arg: 'm', help: 'time budget: start a generation only if it should end within m minutes of run time (estimated from the last one)' },
  { key: 'workers', arg: 'w', help: 'self-play worker threads (0: play in the main thread)' },
  { key: 'seed', arg: 's', help: 'master seed' },
  { key: 'mode', arg: 'mode', help: "'zero' (gated, AlphaGo Zero) or 'alphazero' (continual)" },
  { key: 'initModel', arg: 'dir', help: 'start a new run from this net (same architecture) instead of random weights' },
];

/** A setting's flag name: initModel -> init-model. */
export function settingFlag(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Parse a CLI string for a field into its typed value (UserError on bad input). */
export function parseField(key: string, raw: string): unknown {
  const t = FIELD_TYPES[key as keyof AZConfig];
  if (!t) throw new UserError(`unknown setting '${key}'; known settings: ${CONFIG_FIELDS.join(', ')}`);
  if (t === 'int' || t === 'number') {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v)) throw new UserError(`setting ${key}: '${raw}' is not a number`);
    return v;
  }
  if (t === 'bool') {
    if (/^(true|1|yes|on)$/i.test(raw)) return true;
    if (/^(false|0|no|off)$/i.test(raw)) return false;
    throw new UserError(`setting ${key}: '${raw}' is not a boolean (expected true or false)`);
  }
  if (t === 'object' || t === 'schedule') {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw new UserError(`setting ${key}: '${raw}' is not valid JSON`);
    }
  }
  return raw;
}

/** Merge overrides (from a JSON file or flags) into a config and validate the result. */
export function mergeConfig(base: AZConfig, overrides: Record<string, unknown>, source: string): AZConfig {
  const out = structuredClone(base);
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    if (!(k in FIELD_TYPES)) throw new UserError(`${source}: unknown setting '${k}'; known settings: ${CONFIG_FIELDS.join(', ')}`);
    (out as unknown as Record<string, unknown>)[k] = v;
  }
  // Playout cap: a layer that sets simulations but not fastSimulations keeps the fast searches'
  // share of the full ones (200/40 with --set simulations=800 becomes 800/160; 8 becomes 8/2).
  if (overrides.simulations !== undefined && overrides.fastSimulations === undefined && base.fastSimulations > 0 && base.simulations > 0) {
    out.fastSimulations = Math.max(1, Math.round((out.simulations * base.fastSimulations) / base.simulations));
  }
  validateConfig(out, source);
  return out;
}

/** Check every field's type and range; throws a UserError naming the first bad one. */
export function validateConfig(c: AZConfig, source = 'config'): void {
  const bad = (k: string, v: unknown, expected: string): never => {
    throw new UserError(`${source}: setting ${k} = ${JSON.stringify(v)} is invalid; expected ${expected}`);
  };
  for (const k of CONFIG_FIELDS) {
    const v = (c as unknown as Record<string, unknown>)[k];
    const t = FIELD_TYPES[k];
    if (t === 'int' && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) bad(k, v, 'a non-negative integer');
    if (t === 'number' && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) bad(k, v, 'a non-negative number');
    if (t === 'bool' && typeof v !== 'boolean') bad(k, v, 'true or false');
    if (t === 'string' && typeof v !== 'string') bad(k, v, 'a string');
    if (t === 'object' && (typeof v !== 'object' || v === null || Array.isArray(v))) bad(k, v, 'a JSON object');
  }
  if (!GAME_DEFAULTS[c.game]) bad('game', c.game, `one of ${Object.keys(GAME_DEFAULTS).join(', ')}`);
  if (c.mode !== 'zero' && c.mode !== 'alphazero') bad('mode', c.mode, "'zero' or 'alphazero'");
  if (!['auto', 'onnxruntime', 'tfjs'].includes(c.inference)) bad('inference', c.inference, "'auto', 'onnxruntime' or 'tfjs'");
  if (c.arch !== 'resnet' && c.arch !== 'mlp') bad('arch', c.arch, "'resnet' or 'mlp'");
  if (c.policyHead !== 'dense' && c.policyHead !== 'conv') bad('policyHead', c.policyHead, "'dense' or 'conv'");
  if (c.optimizer !== 'sgd' && c.optimizer !== 'adam') bad('optimizer', c.optimizer, "'sgd' or 'adam'");
  for (const k of ['blocks', 'filters', 'gamesPerGeneration', 'concurrentGames', 'simulations', 'mctsBatchSize', 'bufferPositions', 'batchSize'] as const) {
    if (c[k] < 1) bad(k, c[k], 'at least 1');
  }
  if (c.workers > 64) bad('workers', c.workers, 'between 0 and 64');
  for (const k of ['dirichletEpsilon', 'fullSearchFraction', 'valueTargetQ', 'resignCheckFraction', 'resignMaxFalsePositive', 'gatingThreshold', 'momentum'] as const) {
    if (c[k] > 1) bad(k, c[k], 'a number between 0 and 1');
  }
  if (c.fastSimulations > c.simulations) bad('fastSimulations', c.fastSimulations, `at most simulations (${c.simulations}); 0 turns playout-cap randomisation off`);
  if (c.fastSimulations > 0 && c.fullSearchFraction === 0) bad('fullSearchFraction', c.fullSearchFraction, 'more than 0 when fastSimulations is on (no move would be recorded)');
  if (c.evalGames > 0 && c.evalSimulations === 0 && c.simulations < 1) bad('evalSimulations', c.evalSimulations, 'at least 1');
  if (c.progressInterval <= 0) bad('progressInterval', c.progressInterval, 'a positive number of seconds');
  if (c.gnugoLevel < 0 || c.gnugoLevel > 10) bad('gnugoLevel', c.gnugoLevel, 'an integer from 0 to 10');
  const s = c.lrSchedule as unknown;
  if (!Array.isArray(s) || s.length === 0) bad('lrSchedule', s, 'a non-empty array of {"step": n, "lr": x}');
  const sched = s as LrStep[];
  sched.forEach((e, i) => {
    if (typeof e !== 'object' || e === null || !Number.isInteger(e.step) || e.step < 0 || typeof e.lr !== 'number' || !(e.lr > 0)) {
      bad('lrSchedule', s, 'entries {"step": non-negative integer, "lr": positive number}');
    }
    if (i === 0 && e.step !== 0) bad('lrSchedule', s, 'the first entry at step 0');
    if (i > 0 && e.step <= sched[i - 1]!.step) bad('lrSchedule', s, 'entries in increasing step order');
  });
}

/** Learning rate at a training step under a piecewise-constant schedule. */
export function learningRateAt(schedule: readonly LrStep[], step: number): number {
  let lr = schedule[0]!.lr;
  for (const e of schedule) if (step >= e.step) lr = e.lr;
  return lr;
}

/** Effective MCTS simulations in evaluation games. */
export function evalSims(c: AZConfig): number {
  return c.evalSimulations > 0 ? c.evalSimulations : c.simulations;
}
