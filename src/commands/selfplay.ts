/**
 * `tengen selfplay`: the AlphaGo Zero / AlphaZero training run.
 *
 *   tengen selfplay [--game G] [--out DIR] [--resume DIR] [--generations N] [--minutes M]
 *                   [--workers W] [--seed S] [--mode zero|alphazero] [--config file.json] [--set key=value ...]
 *
 * Settings come from the game's defaults, then the JSON config file, then the flags. The run
 * directory gets checkpoints, models, games and metrics.jsonl; progress lines go to stdout.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../util/errors.ts';
import { stampedDir } from '../util/fs.ts';
import { tengenCommand } from '../util/cli-name.ts';
import { loadInk } from '../../tui/load-ink.ts';
import { initBackend } from '../nets/backend.ts';
import { CONFIG_FIELDS, DEFAULT_GAME, SETTING_FLAGS, defaultConfig, mergeConfig, parseField, settingFlag, type AZConfig } from '../agents/alphazero/config.ts';
import { PipelineEvents, attachMetricsLog, attachProgressPrinter } from '../agents/alphazero/events.ts';
import { Pipeline, RESUMABLE_SETTINGS, readRunConfig } from '../agents/alphazero/pipeline.ts';
import { describeSpec } from '../agents/alphazero/net.ts';
import { makeGame } from '../env/games/index.ts';
import type { Game } from '../env/games/game.ts';

export interface SelfplayFlags {
  game?: string;
  out?: string;
  resume?: string;
  /** The settings of SETTING_FLAGS (generations, minutes, workers, seed, mode, initModel), as typed. */
  [setting: string]: unknown;
  config?: string;
  set?: string[];
  backend?: string;
  /** Live dashboard: true/false from --tui/--no-tui; undefined = when stdout is a terminal. */
  tui?: boolean;
  /** Distributed self-play: the cluster's Redis URL (`tengen worker` processes play the games). */
  cluster?: string;
  gamesPerJob?: string;
  maxNetAge?: string;
  /** With --cluster: publish nets as files in this shared directory instead of in Redis. */
  netDir?: string;
}

function readJsonConfig(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`--config ${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UserError(`--config ${path}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UserError(`--config ${path}: expected a JSON object of settings`);
  return v as Record<string, unknown>;
}

/**
 * Build the run's config from defaults, the config file and the flags (UserError on anything bad).
 * With --resume, a setting given that differs from the run's own is refused (a resumed run keeps
 * its settings; only RESUMABLE_SETTINGS may change), rather than silently ignored.
 */
export function resolveSelfplayConfig(f: SelfplayFlags): AZConfig {
  const file = f.config ? readJsonConfig(f.config) : {};
  const stored = f.resume ? runConfig(f.resume) : null;
  const game = f.game ?? (typeof file['game'] === 'string' ? file['game'] : undefined) ?? stored?.game ?? DEFAULT_GAME;
  let cfg = defaultConfig(game);
  cfg = mergeConfig(cfg, { ...file, game }, f.config ? `--config ${f.config}` : 'config');
  const flags: Record<string, unknown> = {};
  for (const { key } of SETTING_FLAGS) {
    const raw = f[key];
    if (typeof raw === 'string') flags[key] = parseField(key, raw);
  }
  for (const kv of f.set ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UserError(`--set ${kv}: expected key=value, e.g. --set simulations=100`);
    const key = kv.slice(0, eq);
    flags[key] = parseField(key, kv.slice(eq + 1));
  }
  const merged = mergeConfig(cfg, flags, 'flags');
  if (stored) {
    const given: Record<string, unknown> = { ...file, ...(f.game !== undefined ? { game: f.game } : {}), ...flags };
    const clashes = Object.keys(given).filter((k) => !RESUMABLE_SETTINGS.includes(k as keyof AZConfig) && JSON.stringify(merged[k as keyof AZConfig]) !== JSON.stringify(stored[k as keyof AZConfig]));
    if (clashes.length > 0) {
      const show = (c: AZConfig, k: string): string => `${k} ${JSON.stringify(c[k as keyof AZConfig])}`;
      throw new UserError(`--resume ${f.resume}: ${clashes.map((k) => show(merged, k)).join(', ')} contradict${clashes.length === 1 ? 's' : ''} the run's own (${clashes.map((k) => show(stored, k)).join(', ')}); ` +
        `a resumed run keeps its settings, only ${RESUMABLE_SETTINGS.join(', ')} may change (start a new run with --out for others)`);
    }
  }
  return merged;
}

function runConfig(dir: string): AZConfig {
  try {
    return readRunConfig(dir);
  } catch {
    throw new UserError(`--resume ${dir}: not a selfplay run directory (no readable config.json)`);
  }
}

function defaultRunDir(c: AZConfig): string {
  return stampedDir('runs', `${c.game}-s${c.seed}`);
}

export async function runSelfplay(f: SelfplayFlags): Promise<void> {
  const cfg = resolveSelfplayConfig(f);
  const runDir = f.resume ?? f.out ?? defaultRunDir(cfg);
  const cluster = f.cluster === undefined ? null : await clusterSetup(f, runDir);
  const backend = await initBackend({ backend: f.backend });
  const events = new PipelineEvents();
  const metricsPath = join(runDir, 'metrics.jsonl');
  const pipeline = await Pipeline.create({ runDir, config: cfg, resume: f.resume !== undefined, events, backend, metricsPath, ...(cluster ? { runnerFactory: cluster.runnerFactory } : {}) });
  const offLog = attachMetricsLog(events, metricsPath);
  const offCluster = cluster ? await cluster.attachEvents(events) : null;
  const c = pipeline.config;
  const header =
    `tengen selfplay: ${c.game}${Object.keys(c.gameParams).length ? ' ' + JSON.stringify(c.gameParams) : ''}, mode ${c.mode}, ${describeSpec(c)}, ` +
    `${c.simulations} simulations, ${c.gamesPerGeneration} games/generation, workers ${c.workers}, seed ${c.seed}, backend ${backend}\n` +
    `run directory ${runDir}${f.resume ? ` (resumed at generation ${pipeline.state.generation})` : ''}` +
    (cluster ? `\nself-play on the cluster at ${cluster.url}: start workers with tengen worker --cluster <redis-url>` : '');
  const tui = f.tui ?? (process.stdout.isTTY === true && process.stdin.isTTY === true);
  try {
    if (tui) await runWithDashboard(pipeline, events, header);
    else await runWithProgressLines(pipeline, events, header);
  } finally {
    offLog();
    await offCluster?.();
    pipeline.dispose();
  }
  process.stdout.write(`done: ${pipeline.state.generation} generations; resume with: ${tengenCommand()} selfplay --resume ${runDir}\n`);
}

/** `--cluster`: check the URL and numbers now (UserError), and load the cluster code only when asked for. */
async function clusterSetup(f: SelfplayFlags, runDir: string) {
  const { parseRedisUrl, redactUrl, clusterRunnerFactory, attachClusterEvents } = await import('../cluster/trainer.ts');
  const target = parseRedisUrl(f.cluster!);
  const count = (name: string, raw: string | undefined, min: number): number | undefined => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || n < min) throw new UserError(`--${name} ${raw}: expected a whole number >= ${min}`);
    return n;
  };
  const gamesPerJob = count('games-per-job', f.gamesPerJob, 1);
  const maxNetAge = count('max-net-age', f.maxNetAge, 0);
  const log = (m: string): void => void process.stderr.write(`cluster: ${m}\n`);
  return {
    url: redactUrl(target),
    runnerFactory: clusterRunnerFactory(target, runDir, { gamesPerJob, maxNetAge, log, ...(f.netDir ? { netDir: f.netDir } : {}) }),
    attachEvents: (events: PipelineEvents) => attachClusterEvents(events, target, log),
  };
}

async function runWithProgressLines(pipeline: Pipeline, events: PipelineEvents, header: string): Promise<void> {
  const offPrint = attachProgressPrinter(events, (line) => process.stdout.write(line + '\n'), pipeline.config.progressInterval);
  process.stdout.write(`${header}; Ctrl-C stops after the current generation\n`);
  let interrupts = 0;
  // Ctrl-C or SIGTERM (a service manager, `timeout`): finish the generation; a second one quits now.
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupts++;
    if (interrupts === 1) {
      process.stdout.write(`stopping after this generation (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to quit now; the last checkpoint stays resumable)\n`);
      pipeline.requestStop();
    } else quitNow(pipeline);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await pipeline.run();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    offPrint();
  }
}

/**
 * Leave at once, but never while a checkpoint is being written (it would still be intact: writes are
 * atomic), and only once the self-play threads have stopped (see SelfPlayRunner.halt).
 */
function quitNow(pipeline: Pipeline): void {
  void pipeline.checkpointWritten().then(async () => {
    await pipeline.haltSelfPlay();
    process.stdout.write(`\nquit; resume with: ${tengenCommand()} selfplay --resume ${pipeline.runDir} (from generation ${pipeline.state.generation})\n`);
    process.exit(130);
  });
}

/** A readable board after a game's moves, replayed on a fresh state. */
export function boardRenderer(game: Game): (moves: readonly string[]) => string {
  return (moves) => {
    const st = game.newInitialState();
    for (const mv of moves) st.applyAction(st.stringToAction(mv));
    return st.toString();
  };
}

async function runWithDashboard(pipeline: Pipeline, events: PipelineEvents, header: string): Promise<void> {
  const React = await import('react');
  const { render } = await loadInk();
  const { Dashboard } = await import('../../tui/dashboard.tsx');
  process.stdout.write(header + '\n');
  const c = pipeline.config;
  const renderBoard = boardRenderer(makeGame(c.game, c.gameParams));
  let stopped: Promise<void> | null = null;
  let runDone: () => void = () => {};
  const finished = new Promise<void>((r) => (runDone = r));
  const controls = {
    togglePause: (): boolean => {
      pipeline.setPaused(!pipeline.paused);
      return pipeline.paused;
    },
    saveNow: async (): Promise<string> => `saved the network to ${await pipeline.saveSnapshot()} (the resumable checkpoint is written every generation)`,
    quit: (): Promise<void> => {
      pipeline.requestStop();
      pipeline.setPaused(false);
      return (stopped ??= finished);
    },
    quitNow: (): void => {
      app.unmount();
      quitNow(pipeline);
    },
  };
  const app = render(React.createElement(Dashboard, { events, controls, renderBoard }), { exitOnCtrlC: false });
  // SIGTERM does what q does: stop after the generation; a second one quits now.
  let terms = 0;
  const onTerm = (): void => {
    if (++terms === 1) void controls.quit();
    else controls.quitNow();
  };
  process.on('SIGTERM', onTerm);
  try {
    await pipeline.run();
  } finally {
    process.off('SIGTERM', onTerm);
    runDone();
    app.unmount();
    await app.waitUntilExit().catch(() => undefined);
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('selfplay')
    .description('AlphaGo Zero / AlphaZero self-play training (checkpoints every generation; --resume continues a run)')
    .option('--game <name>', `game: tictactoe, connect4, othello, gomoku, go (default ${DEFAULT_GAME})`)
    .option('--out <dir>', 'run directory (default runs/<game>-s<seed>-<time>)')
    .option('--resume <dir>', 'continue the run in this directory from its last checkpoint');
  for (const s of SETTING_FLAGS) cmd.option(`--${settingFlag(s.key)} <${s.arg}>`, s.help);
  cmd
    .option('--config <file>', 'JSON file of settings (any of: ' + CONFIG_FIELDS.join(', ') + ')')
    .option('--set <key=value...>', 'override one setting, e.g. --set simulations=100 --set lrSchedule=[{"step":0,"lr":0.01}]')
    .option('--tui', 'live dashboard (the default when run in a terminal)')
    .option('--no-tui', 'plain progress lines instead of the dashboard')
    .option('--cluster <redis-url>', 'distributed self-play: enqueue games in this Redis for `tengen worker` processes (redis://[:password@]host:6379/0)')
    .option('--games-per-job <n>', 'with --cluster: games per queued job (default: concurrentGames)')
    .option('--max-net-age <g>', 'with --cluster: drop games played by nets more than g generations old (default 1)')
    .option('--net-dir <dir>', 'with --cluster: publish nets as files in this directory shared with the workers, instead of in Redis')
    .action(async (opts: SelfplayFlags, cmd: Command) => {
      const globals = cmd.optsWithGlobals() as { backend?: string };
      await runSelfplay({ ...opts, backend: globals.backend });
    });
}
