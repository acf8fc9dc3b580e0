import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { register as registerTrain, runTrain } from '../../../src/commands/train.ts';
import { register as registerEval } from '../../../src/commands/eval.ts';
import { TdControl } from '../../../src/agents/tabular/td-control.ts';
import { DQN } from '../../../src/agents/dqn/dqn.ts';
import { make } from '../../../src/env/registry.ts';
import type { AgentEnv } from '../../../src/agents/common/env-types.ts';
import { UserError } from '../../../src/util/errors.ts';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'tengen-cli-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function program(): Command {
  const p = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  p.option('--backend <name>');
  registerTrain(p);
  registerEval(p);
  return p;
}
const run = (args: string[]) => program().parseAsync(args, { from: 'user' });
const episodes = (dir: string) =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>)
    .filter((m) => 'episodic_return' in m);

describe('tengen train / eval', () => {
  it('trains, writes metrics and checkpoint, and evaluates the saved model', async () => {
    const out = join(tmp(), 'run');
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const log = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await run(['train', 'q-learning', '--env', 'FrozenLake-v1', '--steps', '3000', '--seed', '1', '--out', out, '--checkpoint-every', '1000', '--no-progress']);
    await run(['eval', '--model', out, '--episodes', '5']);
    const printed = log.mock.calls.map((c) => String(c[0])).join('');
    err.mockRestore();
    log.mockRestore();
    const eps = episodes(out);
    expect(eps.length).toBeGreaterThan(50);
    expect(eps.every((m) => m['episode_length']! >= 1 && (m['episodic_return'] === 0 || m['episodic_return'] === 1))).toBe(true);
    expect(printed).toMatch(/q-learning on FrozenLake-v1: mean return \d\.\d{3} \+- \d\.\d{3} over 5 episodes/);
    expect(TdControl.load(out, make('FrozenLake-v1') as unknown as AgentEnv).numTimesteps).toBe(3000);
  });

  it('Ctrl-C saves a checkpoint; --resume then ends exactly where an uninterrupted run does', async () => {
    const base = tmp();
    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const quietOut = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const common = { env: 'CartPole-v1', steps: '600', seed: '3', checkpointEvery: '0', logEvery: '100', progress: false, hp: '{"learningStarts":100,"trainFreq":8,"gradientSteps":2,"targetUpdateInterval":50,"batchSize":16,"netArch":[16],"bufferSize":1000}' };
    expect(await runTrain('dqn', { ...common, out: join(base, 'full') }, 'cpu')).toBe(0);
    // Press Ctrl-C once the run is under way (its first episode has been logged).
    const timer = setInterval(() => {
      if (existsSync(join(base, 'cut', 'metrics.jsonl'))) {
        clearInterval(timer);
        process.emit('SIGINT');
      }
    }, 5);
    const code = await runTrain('dqn', { ...common, out: join(base, 'cut') }, 'cpu');
    clearInterval(timer);
    expect(code).toBe(130);
    const cut = DQN.load(join(base, 'cut'), make('CartPole-v1') as unknown as AgentEnv);
    expect(cut.numTimesteps).toBeGreaterThan(0);
    expect(cut.numTimesteps).toBeLessThan(600);
    cut.dispose();
    expect(await runTrain('dqn', { seed: '0', checkpointEvery: '0', logEvery: '100', progress: false, resume: join(base, 'cut') }, 'cpu')).toBe(0);
    quiet.mockRestore();
    quietOut.mockRestore();
    const a = DQN.load(join(base, 'full'), make('CartPole-v1') as unknown as AgentEnv);
    const b = DQN.load(join(base, 'cut'), make('CartPole-v1') as unknown as AgentEnv);
    expect(b.numTimesteps).toBe(600);
    expect(b.net.readOnline().flatMap((v) => Array.from(v))).toEqual(a.net.readOnline().flatMap((v) => Array.from(v)));
    expect(episodes(join(base, 'cut'))).toEqual(episodes(join(base, 'full')));
    a.dispose();
    b.dispose();
  });

  it('bad options give one-line errors', async () => {
    const out = join(tmp(), 'x');
    await expect(run(['train', 'sac', '--env', 'CartPole-v1', '--steps', '10', '--out', out])).rejects.toThrow(/unknown algorithm 'sac' \(expected one of: q-learning/);
    await expect(run(['train', 'ppo', '--env', 'CartPol-v1', '--steps', '10', '--out', out])).rejects.toThrow(UserError);
    await expect(run(['train', 'ppo', '--env', 'CartPole-v1', '--steps', '-5', '--out', out])).rejects.toThrow(/--steps must be an integer >= 0, got '-5'/);
    await expect(run(['train', 'dqn', '--env', 'Pendulum-v1', '--steps', '10', '--out', out])).rejects.toThrow(/Discrete action space/);
    await expect(run(['train', 'q-learning', '--env', 'CartPole-v1', '--steps', '10', '--out', out])).rejects.toThrow(/discrete observation space/);
    await expect(run(['train', 'ppo', '--env', 'CartPole-v1', '--hp', '{"lr":1}', '--steps', '10', '--out', out])).rejects.toThrow(/unknown option 'lr'/);
    await expect(run(['train', 'ppo', '--env', 'CartPole-v1', '--stepz', '10'])).rejects.toThrow(CommanderError);
    await expect(run(['eval', '--model', join(out, 'nothing')])).rejects.toThrow(/no saved agent in/);
    await expect(run(['train', 'ppo', '--resume', join(out, 'nothing')])).rejects.toThrow(/no checkpoint there/);
  });
});
