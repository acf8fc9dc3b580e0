/**
 * `tengen eval --model DIR --env <id> --episodes N [--render] [--seed S]`
 *
 * Loads an agent saved by `tengen train` (or agent.save) and plays N episodes with its
 * deterministic policy (greedy / mean action), printing the mean and standard deviation of the
 * episodic return. --render prints the environment's text picture at every step.
 */
import type { Command } from 'commander';
import { UserError } from '../util/errors.ts';
import { initBackend } from '../nets/backend.ts';
import { make } from '../env/registry.ts';
import type { AgentEnv } from '../agents/common/env-types.ts';
import { checkAlgo } from '../agents/common/algorithms.ts';
import { checkpointInfo } from '../agents/common/checkpoint.ts';
import { evaluatePolicy } from '../agents/common/evaluate.ts';
import { loadAgentFor, parseIntFlag, readRunInfo } from './train.ts';

interface EvalFlags {
  model?: string;
  env?: string;
  episodes: string;
  seed: string;
  render?: boolean;
}

export async function runEval(flags: EvalFlags, backend?: string): Promise<void> {
  if (flags.model === undefined) throw new UserError('--model <dir> is required (a directory written by tengen train)');
  const dir = flags.model;
  const algo = checkAlgo(checkpointInfo(dir).algo);
  const trainedOn = readRunInfo(dir)?.envId;
  const envId = flags.env ?? trainedOn;
  if (envId === undefined) throw new UserError('--env <id> is required (the model directory does not record its environment)');
  const episodes = parseIntFlag('episodes', flags.episodes, 1);
  const seed = parseIntFlag('seed', flags.seed, 0);
  await initBackend({ backend, quiet: true });
  const agent = loadAgentFor(dir, algo, envId, trainedOn);
  const env = make(envId) as unknown as AgentEnv;
  const render = flags.render === true && typeof env.render === 'function';
  if (flags.render === true && !render) process.stderr.write(`tengen: ${envId} has no text rendering; evaluating without --render\n`);
  const res = evaluatePolicy((o) => agent.predict(o, true), env, episodes, seed, render ? (e, ep, t) => process.stdout.write(`episode ${ep + 1} step ${t}\n${e.render!()}\n`) : undefined);
  agent.dispose();
  process.stdout.write(`${algo} on ${envId}: mean return ${res.mean.toFixed(3)} +- ${res.std.toFixed(3)} over ${episodes} episodes (deterministic policy; mean length ${(res.lengths.reduce((a, b) => a + b, 0) / episodes).toFixed(1)})\n`);
}

export function register(program: Command): void {
  program
    .command('eval')
    .description('evaluate a trained classic RL agent: mean and std of the episodic return (deterministic policy)')
    .option('--model <dir>', 'directory written by tengen train')
    .option('--env <id>', 'environment id (default: the one it was trained on)')
    .option('--episodes <n>', 'number of episodes', '10')
    .option('--seed <s>', 'seed of the first episode (episode i uses seed + i)', '0')
    .option('--render', 'print the environment at every step')
    .action(async (flags: EvalFlags, cmd: Command) => {
      await runEval(flags, (cmd.optsWithGlobals() as { backend?: string }).backend);
    });
}
