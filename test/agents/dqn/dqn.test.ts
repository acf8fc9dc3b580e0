import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/nets/backend.ts';
import { tf } from '../../../src/agents/common/tf.ts';
import { DQN } from '../../../src/agents/dqn/dqn.ts';
import { TransitionBuffer } from '../../../src/agents/dqn/transition-buffer.ts';
import { UserError } from '../../../src/util/errors.ts';
import { Rng } from '../../../src/util/rng.ts';
import { TEST_ENGINES } from '../common/engines.ts';
import { Corridor, Endless, Target } from '../common/toy-envs.ts';

beforeAll(async () => void (await initBackend({ backend: 'cpu', quiet: true })));

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const fastBase = { learningRate: 3e-3, learningStarts: 100, batchSize: 32, bufferSize: 2000, trainFreq: 1, gradientSteps: 1, targetUpdateInterval: 50, explorationFraction: 0.4, netArch: [32] };

function greedyReturn(agent: DQN, env: Corridor): number {
  let o: unknown = env.reset().observation;
  let ret = 0;
  for (let t = 0; t < 20; t++) {
    const r = env.step(agent.predict(o, true));
    ret += r.reward;
    o = r.observation;
    if (r.terminated || r.truncated) break;
  }
  return ret;
}

describe.each(TEST_ENGINES)('DQN (%s engine)', (engine) => {
  const fast = { ...fastBase, engine };

  it('learns the optimal path along a corridor (and Double DQN too)', async () => {
    for (const doubleQ of [false, true]) {
      const agent = new DQN(new Corridor(5), { ...fast, doubleQ, seed: 2 });
      expect(greedyReturn(agent, new Corridor(5))).toBeLessThan(0.7 - 1e-6); // not solved by the initial weights
      await agent.learn(1200);
      expect(greedyReturn(agent, new Corridor(5))).toBeCloseTo(0.7, 6);
      agent.dispose();
    }
  });

  it('bootstraps through time-limit truncation (V -> 1/(1-gamma), not the truncated sum)', async () => {
    const agent = new DQN(new Endless(5), { ...fast, gamma: 0.8, seed: 2 });
    await agent.learn(1500);
    const q = agent.net.qValues(Float32Array.of(0.5), 1);
    // Truncation treated as termination would give at most 1 + .8 + .64 + .512 + .4096 = 3.36.
    expect(Math.max(q[0]!, q[1]!)).toBeGreaterThan(4.3);
    agent.dispose();
  });

  it('same seed, same run; checkpoint + resume equals the uninterrupted run', async () => {
    const opts = { ...fast, seed: 3 };
    const full = new DQN(new Corridor(), opts);
    await full.learn(600);
    const again = new DQN(new Corridor(), opts);
    await again.learn(600);
    const w = (a: DQN) => a.net.readOnline().flatMap((v) => Array.from(v));
    expect(w(again)).toEqual(w(full));
    const dir = mkdtempSync(join(tmpdir(), 'tengen-dqn-'));
    dirs.push(dir);
    const part = new DQN(new Corridor(), opts);
    await part.learn(600, { onIteration: (it) => (it.numTimesteps === 333 ? (part.save(dir), false) : undefined) });
    const resumed = DQN.load(dir, new Corridor());
    await resumed.learn(600);
    expect(resumed.numUpdates).toBe(full.numUpdates);
    expect(w(resumed)).toEqual(w(full));
    for (const a of [full, again, part, resumed]) a.dispose();
  });

  it('keeps the tensor count flat over thousands of updates', async () => {
    const agent = new DQN(new Corridor(), { ...fast, seed: 4 });
    await agent.learn(300);
    const before = tf.memory().numTensors;
    await agent.learn(2300);
    expect(agent.numUpdates).toBeGreaterThan(2000);
    expect(tf.memory().numTensors).toBe(before);
    agent.dispose();
  });

  it('rejects bad options and continuous actions with clear errors', () => {
    expect(() => new DQN(new Corridor(), { batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
    expect(() => new DQN(new Corridor(), { gradientSteps: -2 })).toThrow(/gradientSteps/);
    expect(() => new DQN(new Corridor(), { lr: 1 } as never)).toThrow(UserError);
    expect(() => new DQN(new Target())).toThrow(/Discrete action space/);
    expect(() => new DQN(new Corridor(), { engine: 'gpu' } as never)).toThrow(/engine must be one of 'auto', 'onnxruntime', 'tfjs', got "gpu"/);
  });

  it('replay buffer wraps around and samples stored transitions', () => {
    const rb = new TransitionBuffer(3, 1);
    for (let i = 0; i < 5; i++) rb.add(Float32Array.of(i), 0, i, i, Float32Array.of(i + 1), 0, false);
    expect(rb.size).toBe(3);
    const b = rb.sample(50, new Rng(0));
    for (let k = 0; k < 50; k++) {
      expect([2, 3, 4]).toContain(b.obs[k]);
      expect(b.nextObs[k]).toBe(b.obs[k]! + 1);
    }
  });
});
