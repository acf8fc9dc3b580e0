import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/nets/backend.ts';
import { tf } from '../../../src/agents/common/tf.ts';
import { PPO } from '../../../src/agents/ppo/ppo.ts';
import { UserError } from '../../../src/util/errors.ts';
import { TEST_ENGINES } from '../common/engines.ts';
import { Corridor, Endless, Target } from '../common/toy-envs.ts';

beforeAll(async () => void (await initBackend({ backend: 'cpu', quiet: true })));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const fastBase = { nEnvs: 4, nSteps: 32, batchSize: 64, nEpochs: 4, learningRate: 3e-3, netArch: [32] };

function meanReturn(agent: PPO, make: () => Corridor | Target, episodes: number): number {
  let total = 0;
  for (let ep = 0; ep < episodes; ep++) {
    const env = make();
    let o: unknown = env.reset({ seed: 100 + ep }).observation;
    for (let t = 0; t < 50; t++) {
      const r = env.step(agent.predict(o, true) as never);
      total += r.reward;
      o = r.observation;
      if (r.terminated || r.truncated) break;
    }
  }
  return total / episodes;
}

describe.each(TEST_ENGINES)('PPO (%s engine)', (engine) => {
  const fast = { ...fastBase, engine };

  it('learns a discrete task (corridor) to the optimum', async () => {
    const agent = new PPO(() => new Corridor(), { ...fast, seed: 1 });
    expect(meanReturn(agent, () => new Corridor(), 1)).toBeLessThan(0.6 - 1e-6); // not solved at initialisation
    await agent.learn(6000);
    expect(meanReturn(agent, () => new Corridor(), 1)).toBeCloseTo(0.6, 6);
    agent.dispose();
  });

  it('learns a continuous task (Gaussian policy) far beyond random', async () => {
    const agent = new PPO(() => new Target(), { ...fast, seed: 2 });
    const before = meanReturn(agent, () => new Target(), 20);
    await agent.learn(8000);
    const after = meanReturn(agent, () => new Target(), 20);
    expect(after).toBeGreaterThan(-0.4); // 8 steps; random N(0,1) actions give about -10.7
    expect(after).toBeGreaterThan(before + 0.5);
    agent.dispose();
  });

  it('bootstraps V(final obs) on truncation: V -> 1/(1-gamma) on a never-ending task', async () => {
    const agent = new PPO(() => new Endless(5), { ...fast, gamma: 0.8, seed: 3 });
    await agent.learn(6000);
    const v = agent.policy.values(Float32Array.of(0.5), 1)[0]!;
    expect(v).toBeGreaterThan(4.3); // treated as termination it could not exceed 3.36
    agent.dispose();
  });

  it('same seed, same run; checkpoint + resume equals the uninterrupted run; no tensor leak', async () => {
    const opts = { ...fast, seed: 4 };
    const w = (a: PPO) => a.policy.readAll().flatMap((v) => Array.from(v));
    const full = new PPO(() => new Target(), opts);
    await full.learn(1280);
    const again = new PPO(() => new Target(), opts);
    await again.learn(1280);
    expect(w(again)).toEqual(w(full));
    const dir = mkdtempSync(join(tmpdir(), 'tengen-ppo-'));
    dirs.push(dir);
    const part = new PPO(() => new Target(), opts);
    await part.learn(1280, { onIteration: (it) => (it.numTimesteps === 512 ? (part.save(dir), false) : undefined) });
    const resumed = PPO.load(dir, () => new Target());
    const before = tf.memory().numTensors;
    await resumed.learn(1280);
    expect(tf.memory().numTensors).toBe(before);
    expect(w(resumed)).toEqual(w(full));
    for (const a of [full, again, part, resumed]) a.dispose();
  });

  it('rejects bad options with clear errors', () => {
    expect(() => new PPO(() => new Corridor(), { nSteps: 0 })).toThrow(/nSteps must be a positive integer/);
    expect(() => new PPO(() => new Corridor(), { gaeLambda: 1.5 })).toThrow(/gaeLambda/);
    expect(() => new PPO(() => new Corridor(), { clip: 0.1 } as never)).toThrow(UserError);
    expect(() => new PPO(new Corridor(), { nEnvs: 2 })).toThrow(/factory/);
    expect(() => new PPO(() => new Corridor(), { engine: 'webgpu' } as never)).toThrow(/ppo: engine must be one of/);
  });
});
