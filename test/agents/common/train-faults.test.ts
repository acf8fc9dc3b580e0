/**
 * What `tengen train` and `tengen eval` do with damaged or mismatched run directories and with
 * kills between checkpoint files: one clear line each, never a stack trace or a silent wrong answer.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runTrain } from '../../../src/commands/train.ts';
import { runEval } from '../../../src/commands/eval.ts';
import { UserError } from '../../../src/util/errors.ts';

const repo = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'tengen-train-faults-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Run with stdout and stderr captured. */
async function quietly<T>(f: () => Promise<T>): Promise<{ value: T; err: string; out: string }> {
  const err: string[] = [];
  const out: string[] = [];
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  try {
    return { value: await f(), err: err.join(''), out: out.join('') };
  } finally {
    e.mockRestore();
    o.mockRestore();
  }
}

const ppo = (out: string, steps = '512'): Promise<number> => runTrain('ppo', { env: 'CartPole-v1', steps, seed: '1', out, checkpointEvery: '0', logEvery: '100', progress: false }, 'cpu');
const evalIn = (model: string, env?: string): Promise<void> => runEval({ model, episodes: '2', seed: '0', ...(env ? { env } : {}) }, 'cpu');

let trained = '';
beforeAll(async () => {
  trained = join(tmp(), 'ppo');
  await quietly(() => ppo(trained));
}, 120_000);

/** A copy of the trained run to damage. */
function copyRun(): string {
  const d = join(tmp(), 'copy');
  mkdirSync(d);
  for (const f of readdirSync(trained)) writeFileSync(join(d, f), readFileSync(join(trained, f)));
  return d;
}

describe('damaged run directories', () => {
  it('a truncated agent.json or a garbage run.json is one line naming the file', async () => {
    const d = copyRun();
    const meta = readFileSync(join(d, 'agent.json'), 'utf8');
    writeFileSync(join(d, 'agent.json'), meta.slice(0, 300));
    await expect(evalIn(d)).rejects.toThrow(/agent\.json is not valid JSON .*the checkpoint is damaged/);
    await expect(quietly(() => runTrain('ppo', { seed: '0', checkpointEvery: '0', logEvery: '100', progress: false, resume: d }, 'cpu'))).rejects.toThrow(UserError);
    const d2 = copyRun();
    const m = JSON.parse(readFileSync(join(d2, 'agent.json'), 'utf8')) as { extra?: unknown };
    delete m.extra; // a run saved before the record lived in agent.json: run.json speaks
    writeFileSync(join(d2, 'agent.json'), JSON.stringify(m));
    writeFileSync(join(d2, 'run.json'), '{"algo": 5, "envId": "CartPole-v1"}');
    await expect(evalIn(d2)).rejects.toThrow(/run\.json is not a tengen train run record: algo 5/);
    writeFileSync(join(d2, 'run.json'), 'garbage');
    await expect(evalIn(d2)).rejects.toThrow(/run\.json is not valid JSON/);
    const d3 = copyRun();
    const m3 = JSON.parse(readFileSync(join(d3, 'agent.json'), 'utf8')) as { state: { rng: unknown } };
    m3.state.rng = 'oops';
    writeFileSync(join(d3, 'agent.json'), JSON.stringify(m3));
    await expect(evalIn(d3)).rejects.toThrow(/cannot load the ppo agent in .* for CartPole-v1/);
  });

  it('NaN or random-byte arrays are refused by name, not evaluated into a mean return', async () => {
    for (const fill of ['nan', 'random'] as const) {
      const d = copyRun();
      const bin = readdirSync(d).find((f) => f.endsWith('.bin'))!;
      const bytes = readFileSync(join(d, bin));
      if (fill === 'nan') new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2).fill(NaN);
      else for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
      writeFileSync(join(d, bin), bytes);
      await expect(quietly(() => evalIn(d))).rejects.toThrow(/checkpoint .*: array '[^']+' in arrays-.*\.bin holds a non-finite value/);
    }
  });

  it('an environment whose spaces differ is named with both spaces', async () => {
    await expect(evalIn(trained, 'Acrobot-v1')).rejects.toThrow(/trained on CartPole-v1 \(observations Box\(.*\), actions Discrete\(2\)\); Acrobot-v1 has observations Box\(.*\), actions Discrete\(3\)/);
    await expect(evalIn(trained, 'MountainCar-v0')).rejects.toThrow(/MountainCar-v0 has observations Box/);
    // The same spaces under another id are fine.
    await expect(quietly(() => evalIn(trained, 'CartPole-v0'))).resolves.toBeDefined();
  });
});

describe('checkpoints and metrics', () => {
  it('one commit point: a run.json left from an earlier checkpoint (a kill between the files) loses no metrics line', async () => {
    const base = tmp();
    const full = join(base, 'full');
    await quietly(() => ppo(full, '1024'));
    const cut = join(base, 'cut');
    // Ctrl-C once the run is under way: a checkpoint part of the way through.
    const timer = setInterval(() => {
      if (existsSync(join(cut, 'metrics.jsonl'))) {
        clearInterval(timer);
        process.emit('SIGINT');
      }
    }, 5);
    expect((await quietly(() => ppo(cut, '1024'))).value).toBe(130);
    clearInterval(timer);
    // As a kill between agent.json and run.json would leave it: run.json from before (here: an empty metrics file's).
    const run = JSON.parse(readFileSync(join(cut, 'run.json'), 'utf8')) as Record<string, number>;
    writeFileSync(join(cut, 'run.json'), JSON.stringify({ ...run, metricsBytes: 0, numTimesteps: 0 }));
    await quietly(() => runTrain('ppo', { seed: '0', steps: '1024', checkpointEvery: '0', logEvery: '100', progress: false, resume: cut }, 'cpu'));
    const lines = (d: string): string[] => readFileSync(join(d, 'metrics.jsonl'), 'utf8').trim().split('\n').filter((l) => 'episodic_return' in JSON.parse(l));
    expect(lines(cut)).toEqual(lines(full));
  }, 120_000);

  it('a fresh --out with stale metrics and killed writes left over starts clean', async () => {
    const out = join(tmp(), 'stale');
    mkdirSync(out);
    writeFileSync(join(out, 'metrics.jsonl'), '{"step": 9999, "episodic_return": 1}\n{"step": 10000, "episo');
    writeFileSync(join(out, '.run.json.999999.1.abc.tmp'), '{');
    const { err } = await quietly(() => ppo(out, '256'));
    expect(err).toMatch(/held metrics of a run that left no checkpoint/);
    const first = JSON.parse(readFileSync(join(out, 'metrics.jsonl'), 'utf8').split('\n')[0]!) as { step: number };
    expect(first.step).toBeLessThanOrEqual(256);
    expect(existsSync(join(out, '.run.json.999999.1.abc.tmp'))).toBe(false);
  }, 60_000);
});

describe('train flags', () => {
  it('--no-progress prints no progress lines, and a budget that is not whole rollouts is said and shown as run', async () => {
    const { err } = await quietly(() => ppo(join(tmp(), 'np'), '1000'));
    expect(err).not.toMatch(/step \d+\/\d+/);
    expect(err).toContain('ppo trains in whole rollouts of 256 steps; --steps 1000 runs to 1024');
    const shown = await quietly(() => runTrain('ppo', { env: 'CartPole-v1', steps: '1000', seed: '1', out: join(tmp(), 'p'), checkpointEvery: '0', logEvery: '100' }, 'cpu'));
    expect(shown.err).toMatch(/step 1024\/1024 \(100\.0%\)/);
    expect(shown.err).not.toMatch(/\/1000/);
  }, 60_000);

  it('an unknown environment is said before a missing --steps, and --out is optional (runs/...)', () => {
    const bad = spawnSync(process.execPath, [join(repo, 'bin', 'tengen.js'), 'train', 'ppo', '--env', 'cartpole'], { cwd: tmp(), encoding: 'utf8', timeout: 60_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/cartpole/);
    expect(bad.stderr).not.toMatch(/--steps/);
    const cwd = tmp();
    const ok = spawnSync(process.execPath, [join(repo, 'bin', 'tengen.js'), '--backend', 'cpu', 'train', 'q-learning', '--env', 'FrozenLake-v1', '--steps', '200', '--no-progress'], { cwd, encoding: 'utf8', timeout: 60_000 });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/the run goes to runs\/q-learning-FrozenLake-v1-s0-\d{8}-\d{6}/);
    expect(readdirSync(join(cwd, 'runs'))).toHaveLength(1);
  }, 60_000);
});
