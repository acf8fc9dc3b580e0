/**
 * `tengen train <algo> --env <id> --steps N --seed S [--out DIR] [--resume DIR] [--checkpoint-every K]`
 *
 * Trains a classic RL agent (tabular, DQN, REINFORCE, A2C, PPO) on a registered environment.
 * Hyperparameters default to RL Zoo's tuned values for the env where they exist (else SB3's
 * defaults) and can be overridden with --hp '{"learningRate": 0.001}'. Progress: a bar on a TTY,
 * one line every few seconds otherwise. Metrics go to DIR/metrics.jsonl as JSON lines
 * (episodic_return, episode_length, losses/*, epsilon, SPS). Checkpoints (weights, optimizer,
 * replay buffer, RNG and env states, counters) are written atomically every K steps and at the
 * end; --resume DIR continues exactly where the last checkpoint stopped; Ctrl-C saves and exits.
 *
 * One commit point per checkpoint: the run record (counters, the length metrics.jsonl had) is
 * written inside agent.json with the agent, so a run killed at any moment resumes with the metrics
 * of exactly the steps it kept (lines after that, a torn last one included, are dropped). run.json
 * is a readable copy. Leftover temporary files of killed writes are removed at the next start.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../util/errors.ts';
import { removeStaleTemporaries, stampedDir, writeJsonAtomic } from '../util/fs.ts';
import { tengenCommand } from '../util/cli-name.ts';
import { initBackend } from '../nets/backend.ts';
import { make } from '../env/registry.ts';
import type { Agent, EnvSource } from '../agents/common/agent.ts';
import type { AgentEnv } from '../agents/common/env-types.ts';
import { ALGORITHMS, type AlgoName, checkAlgo, createAgent, loadAgent, usesFactory, zooPreset } from '../agents/common/algorithms.ts';
import { checkpointInfo, hasCheckpoint } from '../agents/common/checkpoint.ts';

/** What a run directory records besides the agent checkpoint. */
export interface RunInfo {
  algo: AlgoName;
  envId: string;
  totalSteps: number;
  seed: number;
  /** Byte length of metrics.jsonl at the last checkpoint (resume truncates to it). */
  metricsBytes: number;
  numTimesteps: number;
}

/** Check a run record read from disk, field by field (UserError naming the file and the field). */
function parseRunInfo(x: unknown, where: string): RunInfo {
  const bad = (what: string): never => {
    throw new UserError(`${where} is not a tengen train run record: ${what}`);
  };
  if (typeof x !== 'object' || x === null || Array.isArray(x)) bad('expected a JSON object');
  const o = x as Record<string, unknown>;
  if (typeof o['algo'] !== 'string' || !(ALGORITHMS as readonly string[]).includes(o['algo'])) bad(`algo ${JSON.stringify(o['algo'])} is not one of ${ALGORITHMS.join(', ')}`);
  if (typeof o['envId'] !== 'string' || o['envId'] === '') bad('envId is not an environment id');
  for (const k of ['totalSteps', 'seed', 'metricsBytes', 'numTimesteps']) {
    if (typeof o[k] !== 'number' || !Number.isSafeInteger(o[k]) || (o[k] as number) < 0) bad(`${k} is not a whole number >= 0`);
  }
  return o as unknown as RunInfo;
}

/**
 * The run record of a directory written by tengen train: the one committed with the agent in
 * agent.json, or run.json for runs saved before it was kept there; null when there is neither.
 */
export function readRunInfo(dir: string): RunInfo | null {
  if (hasCheckpoint(dir)) {
    const run = checkpointInfo(dir).extra?.['run'];
    if (run !== undefined) return parseRunInfo(run, join(dir, 'agent.json'));
  }
  const p = join(dir, 'run.json');
  if (!existsSync(p)) return null;
  let x: unknown;
  try {
    x = JSON.parse(readFileSync(p, 'utf8'));
  } catch (e) {
    throw new UserError(`${p} is not valid JSON (${(e as Error).message})`);
  }
  return parseRunInfo(x, p);
}

/** An environment's spaces, as people read them. */
function spacesOf(envId: string): { observation: string; action: string } {
  const e = make(envId);
  return { observation: String(e.observationSpace), action: String(e.actionSpace) };
}

/**
 * Load the agent in `dir` for `envId`: refuse an environment whose spaces differ from the one it
 * was trained on (naming both), and turn whatever else goes wrong (damaged arrays, bad state) into
 * one line naming the directory.
 */
export function loadAgentFor(dir: string, algo: AlgoName, envId: string, trainedOn: string | undefined): Agent {
  if (trainedOn !== undefined && trainedOn !== envId) {
    const a = spacesOf(trainedOn);
    const b = spacesOf(envId);
    if (a.observation !== b.observation || a.action !== b.action) {
      throw new UserError(`${dir} holds a ${algo} agent trained on ${trainedOn} (observations ${a.observation}, actions ${a.action}); ${envId} has observations ${b.observation}, actions ${b.action}`);
    }
  }
  try {
    return loadAgent(dir, envSource(algo, envId));
  } catch (e) {
    if (e instanceof UserError) throw e;
    const hint = trainedOn === undefined ? ' (was it trained on another environment?)' : '';
    throw new UserError(`cannot load the ${algo} agent in ${dir} for ${envId}: ${(e as Error).message}${hint}`);
  }
}

export function parseIntFlag(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) throw new UserError(`--${name} must be an integer >= ${min}, got '${value}'`);
  return n;
}

export function envSource(algo: AlgoName, envId: string): EnvSource {
  make(envId); // validate the id up front: one clear error for an unknown env
  return usesFactory(algo) ? () => make(envId) as unknown as AgentEnv : (make(envId) as unknown as AgentEnv);
}

function readRun(dir: string): RunInfo {
  if (!hasCheckpoint(dir)) throw new UserError(`--resume ${dir}: no checkpoint there (expected agent.json written by tengen train)`);
  const run = readRunInfo(dir);
  if (run === null) throw new UserError(`--resume ${dir}: the checkpoint has no run record (expected one in agent.json or run.json, written by tengen train)`);
  return run;
}

interface TrainFlags {
  env?: string;
  steps?: string;
  seed: string;
  out?: string;
  resume?: string;
  checkpointEvery: string;
  logEvery: string;
  hp?: string;
  progress?: boolean;
}

export async function runTrain(algoName: string, flags: TrainFlags, backend?: string): Promise<number> {
  let algo: AlgoName;
  let envId: string;
  let seed: number;
  let out: string;
  let agent: Agent;
  let metricsBytes = 0;
  const every = parseIntFlag('checkpoint-every', flags.checkpointEvery, 0);
  const logEvery = parseIntFlag('log-every', flags.logEvery, 1);
  let totalSteps: number;
  if (flags.resume !== undefined) {
    const run = readRun(flags.resume);
    algo = checkAlgo(algoName);
    if (run.algo !== algo) throw new UserError(`--resume ${flags.resume} holds a ${run.algo} run, not ${algo}`);
    if (flags.env !== undefined && flags.env !== run.envId) throw new UserError(`--resume ${flags.resume} trains on ${run.envId}, not ${flags.env}`);
    if (flags.hp !== undefined) throw new UserError('--hp cannot change hyperparameters of a resumed run');
    envId = run.envId;
    seed = run.seed;
    out = flags.out ?? flags.resume;
    if (out !== flags.resume) throw new UserError('--out must be the same directory as --resume (or omitted)');
    totalSteps = flags.steps !== undefined ? parseIntFlag('steps', flags.steps, 0) : run.totalSteps;
    removeStaleTemporaries(out);
    await initBackend({ backend, quiet: true });
    agent = loadAgentFor(flags.resume, algo, envId, envId);
    metricsBytes = run.metricsBytes;
    const mPath = join(out, 'metrics.jsonl');
    // Lines written after the checkpoint (a torn last one among them) belong to the lost part of the run: drop them.
    if (existsSync(mPath) && statSync(mPath).size > metricsBytes) truncateSync(mPath, metricsBytes);
  } else {
    algo = checkAlgo(algoName);
    if (flags.env === undefined) throw new UserError('--env <id> is required (e.g. --env CartPole-v1)');
    envId = flags.env;
    make(envId); // an unknown environment is the first thing to say
    seed = parseIntFlag('seed', flags.seed, 0);
    out = flags.out ?? stampedDir('runs', `${algo}-${envId}-s${seed}`);
    const preset = zooPreset(algo, envId);
    if (flags.steps === undefined && !preset) throw new UserError(`--steps <n> is required (no RL Zoo budget for ${algo} on ${envId})`);
    totalSteps = flags.steps !== undefined ? parseIntFlag('steps', flags.steps, 0) : preset!.steps;
    let hp: Record<string, unknown> = {};
    if (flags.hp !== undefined) {
      try {
        hp = JSON.parse(flags.hp) as Record<string, unknown>;
      } catch {
        throw new UserError(`--hp must be a JSON object, e.g. '{"learningRate": 0.001}', got ${flags.hp}`);
      }
      if (typeof hp !== 'object' || hp === null || Array.isArray(hp)) throw new UserError('--hp must be a JSON object');
    }
    if (hasCheckpoint(out)) throw new UserError(`${out} already holds a run; use --resume ${out} to continue it or choose another --out`);
    const src = envSource(algo, envId);
    await initBackend({ backend, quiet: true });
    agent = createAgent(algo, src, { ...(preset?.options ?? {}), ...hp, seed });
    mkdirSync(out, { recursive: true });
    removeStaleTemporaries(out);
    // Metrics of an earlier run here that never reached a checkpoint are not this run's.
    const stale = join(out, 'metrics.jsonl');
    if (existsSync(stale) && statSync(stale).size > 0) {
      truncateSync(stale, 0);
      process.stderr.write(`tengen: ${out} held metrics of a run that left no checkpoint; starting them afresh\n`);
    }
    if (flags.out === undefined) process.stderr.write(`tengen: the run goes to ${out} (--out to choose)\n`);
  }
  // Some agents stop only between whole iterations (PPO, A2C: rollouts): say what the budget becomes.
  const unit = agent.stepsPerIteration;
  if (unit !== undefined && totalSteps % unit !== 0) {
    const rounded = Math.ceil(totalSteps / unit) * unit;
    process.stderr.write(`tengen: ${algo} trains in whole rollouts of ${unit} steps; --steps ${totalSteps} runs to ${rounded}\n`);
    totalSteps = rounded;
  }
  const mPath = join(out, 'metrics.jsonl');
  const save = (): void => {
    metricsBytes = existsSync(mPath) ? statSync(mPath).size : 0;
    const run: RunInfo = { algo, envId, totalSteps, seed, metricsBytes, numTimesteps: agent.numTimesteps };
    // The commit point: the run record goes into agent.json with the agent, in one atomic write.
    agent.save(out, { run });
    writeJsonAtomic(join(out, 'run.json'), run);
  };
  const write = (o: Record<string, unknown>): void => appendFileSync(mPath, JSON.stringify(o) + '\n');

  // Progress: a bar on a TTY, otherwise a line every 5 s; none with --no-progress.
  const quiet = flags.progress === false;
  const tty = !quiet && process.stderr.isTTY === true;
  const start = Date.now();
  const startSteps = agent.numTimesteps;
  const recent: number[] = [];
  let lastDraw = 0;
  const sps = (): number => (agent.numTimesteps - startSteps) / Math.max(1e-3, (Date.now() - start) / 1000);
  const meanRecent = (): string => (recent.length ? (recent.reduce((a, b) => a + b, 0) / recent.length).toFixed(2) : '-');
  const draw = (force = false): void => {
    if (quiet) return;
    const now = Date.now();
    if (!force && now - lastDraw < (tty ? 100 : 5000)) return;
    lastDraw = now;
    const n = agent.numTimesteps;
    const frac = totalSteps > 0 ? Math.min(1, n / totalSteps) : 1;
    if (tty) {
      const w = 30;
      const bar = '#'.repeat(Math.round(frac * w)).padEnd(w, '.');
      process.stderr.write(`\r[${bar}] ${n}/${totalSteps} ${sps().toFixed(0)} steps/s  return(last ${recent.length}) ${meanRecent()}   `);
    } else {
      process.stderr.write(`${algo} ${envId} step ${n}/${totalSteps} (${(frac * 100).toFixed(1)}%) ${sps().toFixed(0)} steps/s mean return ${meanRecent()}\n`);
    }
  };

  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) {
      // A second Ctrl-C: leave now; the last checkpoint on disk stays loadable.
      process.stderr.write(`\ntengen: stopped without saving; the last checkpoint in ${out} is intact\n`);
      process.exit(130);
    }
    interrupted = true;
    process.stderr.write('\ntengen: Ctrl-C: saving a checkpoint at the next consistent point (press again to quit without saving)\n');
  };
  process.on('SIGINT', onSigint);
  let nextCkpt = every > 0 ? (Math.floor(agent.numTimesteps / every) + 1) * every : Infinity;
  let nextLog = (Math.floor(agent.numTimesteps / logEvery) + 1) * logEvery;
  try {
    await agent.learn(totalSteps, {
      onEpisodeEnd: (e) => {
        recent.push(e.episodicReturn);
        if (recent.length > 100) recent.shift();
        write({ step: e.numTimesteps, episodic_return: e.episodicReturn, episode_length: e.episodeLength });
      },
      onIteration: (it) => {
        if (it.numTimesteps >= nextLog) {
          nextLog = (Math.floor(it.numTimesteps / logEvery) + 1) * logEvery;
          write({ step: it.numTimesteps, ...it.metrics, SPS: Math.round(sps()) });
        }
        if (it.numTimesteps >= nextCkpt) {
          save();
          nextCkpt = (Math.floor(it.numTimesteps / every) + 1) * every;
        }
        draw();
        if (interrupted) return false;
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  save();
  draw(true);
  if (tty) process.stderr.write('\n');
  const secs = ((Date.now() - start) / 1000).toFixed(1);
  if (interrupted) {
    process.stderr.write(`tengen: interrupted at step ${agent.numTimesteps}; checkpoint saved to ${out} (continue with: ${tengenCommand()} train ${algo} --resume ${out})\n`);
    agent.dispose();
    return 130;
  }
  process.stdout.write(`trained ${algo} on ${envId} for ${agent.numTimesteps} steps in ${secs} s; mean return of last ${recent.length} episodes ${meanRecent()}; saved to ${out}\n`);
  agent.dispose();
  return 0;
}

export function register(program: Command): void {
  program
    .command('train')
    .description(`train a classic RL agent (${ALGORITHMS.join(', ')}) on a registered environment`)
    .argument('<algo>', `algorithm: ${ALGORITHMS.join(', ')}`)
    .option('--env <id>', 'environment id, e.g. CartPole-v1')
    .option('--steps <n>', 'total environment steps (default: the RL Zoo budget where one exists)')
    .option('--seed <s>', 'random seed', '0')
    .option('--out <dir>', 'run directory: checkpoint, run.json, metrics.jsonl (default runs/<algo>-<env>-s<seed>-<date>-<time>)')
    .option('--resume <dir>', 'continue the run saved in this directory')
    .option('--checkpoint-every <k>', 'checkpoint every k steps (0: only at the end)', '10000')
    .option('--log-every <k>', 'write loss metrics at most every k steps', '1000')
    .option('--hp <json>', 'hyperparameter overrides as a JSON object')
    .option('--no-progress', 'no progress output (bar or lines)')
    .action(async (algo: string, flags: TrainFlags, cmd: Command) => {
      const code = await runTrain(algo, flags, (cmd.optsWithGlobals() as { backend?: string }).backend);
      if (code !== 0) process.exitCode = code;
    });
}
