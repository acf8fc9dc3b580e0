import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/nets/backend.ts';
import { tf } from '../../../src/agents/common/tf.ts';
import { A2C } from '../../../src/agents/a2c/a2c.ts';
import { UserError } from '../../../src/util/errors.ts';
import { TEST_ENGINES } from '../common/engines.ts';
import { Corridor, Endless, Target } from '../common/toy-envs.ts';

beforeAll(async () => void (await initBackend({ backend: 'cpu', quiet: true })));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const fastBase = { nEnvs: 8, nSteps: 5, learningRate: 3e-3, netArch: [32] };

function greedyReturn(agent: A2C): number {
  const env = new Corridor();
  let o: unknown = env.reset().observation;
  let ret = 0;
  for (let t = 0; t < 20; t++) {
    const r = env.step(agent.predict(o, true) as number);
    ret += r.reward;
    o = r.observation;
    if (r.terminated || r.truncated) break;
  }
  return ret;
}

describe.each(TEST_ENGINES)('A2C (%s engine)', (engine) => {
  const fast = { ...fastBase, engine };

  it('learns the corridor to the optimum', async () => {
    const agent = new A2C(() => new Corridor(), { ...fast, seed: 1 });
    expect(greedyReturn(agent)).toBeLessThan(0.6 - 1e-6); // not solved at initialisation
    await agent.learn(8000);
    expect(greedyReturn(agent)).toBeCloseTo(0.6, 6);
    agent.dispose();
  });

  it('bootstraps V(final obs) on truncation', async () => {
    const agent = new A2C(() => new Endless(5), { ...fast, gamma: 0.8, seed: 3 });
    await agent.learn(6000);
    expect(agent.policy.values(Float32Array.of(0.5), 1)[0]!).toBeGreaterThan(4.3);
    agent.dispose();
  });

  it('same seed, same run; checkpoint + resume equals the uninterrupted run; no tensor leak', async () => {
    const opts = { ...fast, seed: 4 };
    const w = (a: A2C) => a.policy.readAll().flatMap((v) => Array.from(v));
    const full = new A2C(() => new Target(), opts);
    await full.learn(1200);
    const again = new A2C(() => new Target(), opts);
    await again.learn(1200);
    expect(w(again)).toEqual(w(full));
    const dir = mkdtempSync(join(tmpdir(), 'tengen-a2c-'));
    dirs.push(dir);
    const part = new A2C(() => new Target(), opts);
    await part.learn(1200, { onIteration: (it) => (it.numTimesteps === 400 ? (part.save(dir), false) : undefined) });
    const resumed = A2C.load(dir, () => new Target());
    const before = tf.memory().numTensors;
    await resumed.learn(1200);
    expect(tf.memory().numTensors).toBe(before);
    expect(w(resumed)).toEqual(w(full));
    for (const a of [full, again, part, resumed]) a.dispose();
  });

  it('rejects bad options with clear errors', () => {
    expect(() => new A2C(() => new Corridor(), { nSteps: -1 })).toThrow(/nSteps must be a positive integer/);
    expect(() => new A2C(() => new Corridor(), { useRmsProp: 'yes' } as never)).toThrow(/true or false/);
    expect(() => new A2C(() => new Corridor(), { foo: 1 } as never)).toThrow(UserError);
  });
});
