import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/nets/backend.ts';
import { tf } from '../../../src/agents/common/tf.ts';
import { Reinforce } from '../../../src/agents/reinforce/reinforce.ts';
import { UserError } from '../../../src/util/errors.ts';
import { TEST_ENGINES } from '../common/engines.ts';
import { Corridor, Endless, Target } from '../common/toy-envs.ts';

beforeAll(async () => void (await initBackend({ backend: 'cpu', quiet: true })));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const fastBase = { learningRate: 3e-3, netArch: [32], episodesPerUpdate: 4 };

describe.each(TEST_ENGINES)('REINFORCE with baseline (%s engine)', (engine) => {
  const fast = { ...fastBase, engine };

  it('learns the corridor to the optimum', async () => {
    const agent = new Reinforce(new Corridor(), { ...fast, seed: 1 });
    const returns: number[] = [];
    await agent.learn(8000, { onEpisodeEnd: (e) => void returns.push(e.episodicReturn) });
    const env = new Corridor();
    let o: unknown = env.reset().observation;
    let ret = 0;
    for (let t = 0; t < 20; t++) {
      const r = env.step(agent.predict(o, true) as number);
      ret += r.reward;
      o = r.observation;
      if (r.terminated || r.truncated) break;
    }
    expect(ret).toBeCloseTo(0.6, 6);
    expect(returns.slice(-20).reduce((a, b) => a + b, 0) / 20).toBeGreaterThan(returns.slice(0, 20).reduce((a, b) => a + b, 0) / 20);
    agent.dispose();
  });

  it('bootstraps the return tail from V(final obs) on truncation', async () => {
    const agent = new Reinforce(new Endless(5), { ...fast, gamma: 0.8, seed: 3 });
    await agent.learn(4000);
    expect(agent.policy.values(Float32Array.of(0.5), 1)[0]!).toBeGreaterThan(4.3);
    agent.dispose();
  });

  it('same seed, same run; checkpoint + resume equals the uninterrupted run; no tensor leak', async () => {
    const opts = { ...fast, seed: 4 };
    const w = (a: Reinforce) => a.policy.readAll().flatMap((v) => Array.from(v));
    const full = new Reinforce(new Target(), opts);
    await full.learn(640);
    const again = new Reinforce(new Target(), opts);
    await again.learn(640);
    expect(w(again)).toEqual(w(full));
    const dir = mkdtempSync(join(tmpdir(), 'tengen-reinforce-'));
    dirs.push(dir);
    const part = new Reinforce(new Target(), opts);
    await part.learn(640, { onIteration: (it) => (it.numTimesteps === 256 ? (part.save(dir), false) : undefined) });
    expect(part.numTimesteps).toBe(256);
    const resumed = Reinforce.load(dir, new Target());
    const before = tf.memory().numTensors;
    await resumed.learn(640);
    expect(tf.memory().numTensors).toBe(before);
    expect(w(resumed)).toEqual(w(full));
    for (const a of [full, again, part, resumed]) a.dispose();
  });

  it('rejects bad options with clear errors', () => {
    expect(() => new Reinforce(new Corridor(), { episodesPerUpdate: 0 })).toThrow(/episodesPerUpdate/);
    expect(() => new Reinforce(new Corridor(), { gamma: -1 })).toThrow(/gamma/);
    expect(() => new Reinforce(new Corridor(), { batch: 3 } as never)).toThrow(UserError);
  });
});
