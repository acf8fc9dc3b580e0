import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FrozenLakeEnv } from '../../../src/env/toytext/frozen-lake.ts';
import { CliffWalkingEnv } from '../../../src/env/toytext/cliff-walking.ts';
import { TimeLimit } from '../../../src/env/wrappers.ts';
import { finiteHorizonValue, policyIteration, valueIteration } from '../../../src/agents/tabular/dp.ts';
import { ExpectedSarsa, QLearning, Sarsa, TdControl } from '../../../src/agents/tabular/td-control.ts';
import { McControl } from '../../../src/agents/tabular/mc-control.ts';
import { UserError } from '../../../src/util/errors.ts';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'tengen-tab-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Return of the greedy policy from the start of a deterministic env. */
function greedyReturn(agent: { predict(o: unknown, d?: boolean): number | number[] }, env: CliffWalkingEnv | FrozenLakeEnv, maxSteps = 100): number {
  let obs: unknown = env.reset({ seed: 0 }).observation;
  let ret = 0;
  for (let t = 0; t < maxSteps; t++) {
    const r = env.step(agent.predict(obs, true) as number);
    ret += r.reward;
    obs = r.observation;
    if (r.terminated) break;
  }
  return ret;
}

describe('dynamic programming', () => {
  const P = new FrozenLakeEnv().P;
  it('value iteration and policy iteration agree on FrozenLake 4x4 slippery', () => {
    const vi = valueIteration(P, 1, 1e-12);
    const pi = policyIteration(P, 1, 1e-12);
    expect(Array.from(pi.policy)).toEqual(Array.from(vi.policy));
    expect(vi.V[0]).toBeCloseTo(pi.V[0]!, 6);
    expect(vi.V[0]).toBeCloseTo(0.8235, 4); // undiscounted, no time limit: 14/17
  });
  it('the optimal success probability within the 100-step limit is 0.7442', () => {
    expect(finiteHorizonValue(P, 100, 1)[0]).toBeCloseTo(0.7442, 4);
    // The best stationary policy does slightly worse under the limit than the best time-aware one.
    const stationary = finiteHorizonValue(P, 100, 1, valueIteration(P, 1, 1e-12).policy)[0]!;
    expect(stationary).toBeLessThan(0.7442);
    expect(stationary).toBeGreaterThan(0.73);
  });
  it('rejects a malformed table', () => {
    expect(() => valueIteration([[[[0.5, 0, 0, false]]]])).toThrow(/sum to 0.5/);
  });
});

describe('TD control', () => {
  it('Q-learning finds the optimal -13 path on Cliff Walking', async () => {
    const agent = new QLearning(new CliffWalkingEnv(), { learningRate: 0.5, epsilon: 0.1, gamma: 1, seed: 3 });
    expect(greedyReturn(agent, new CliffWalkingEnv())).toBeLessThan(-13);
    await agent.learn(20_000);
    expect(greedyReturn(agent, new CliffWalkingEnv())).toBe(-13);
  });
  it('SARSA and Expected SARSA improve their episodic return on Cliff Walking', async () => {
    for (const Algo of [Sarsa, ExpectedSarsa]) {
      const returns: number[] = [];
      const agent = new Algo(new CliffWalkingEnv(), { learningRate: 0.5, epsilon: 0.1, gamma: 1, seed: 1 });
      await agent.learn(15_000, { onEpisodeEnd: (e) => void returns.push(e.episodicReturn) });
      const first = returns.slice(0, 20).reduce((a, b) => a + b, 0) / 20;
      const last = returns.slice(-50).reduce((a, b) => a + b, 0) / 50;
      expect(last).toBeGreaterThan(first + 50);
      expect(last).toBeGreaterThan(-40);
    }
  });
  it('the same seed reproduces the run exactly; another seed differs', async () => {
    const run = async (seed: number) => (await new Sarsa(new TimeLimit(new FrozenLakeEnv(), 100), { seed }).learn(5000)).Q;
    const a = await run(7);
    expect(Array.from(await run(7))).toEqual(Array.from(a));
    expect(Array.from(await run(8))).not.toEqual(Array.from(a));
  });
  it('checkpoint then resume equals an uninterrupted run', async () => {
    const make = () => new TimeLimit(new FrozenLakeEnv(), 100);
    const opts = { seed: 5, epsilon: { linear: [1, 0.05] as [number, number], fraction: 0.5 } };
    const full = await new QLearning(make(), opts).learn(6000);
    const dir = tmp();
    const part = new QLearning(make(), opts);
    await part.learn(6000, { onIteration: (it) => (it.numTimesteps === 2345 ? (part.save(dir), false) : undefined) });
    expect(part.numTimesteps).toBe(2345);
    const resumed = TdControl.load(dir, make());
    expect(resumed.numTimesteps).toBe(2345);
    await resumed.learn(6000);
    expect(Array.from(resumed.Q)).toEqual(Array.from(full.Q));
  });
  it('bad options give clear errors', async () => {
    expect(() => new QLearning(new CliffWalkingEnv(), { alpha: 0.5 } as never)).toThrow(UserError);
    expect(() => new QLearning(new CliffWalkingEnv(), { alpha: 0.5 } as never)).toThrow(/unknown option 'alpha'/);
    expect(() => new QLearning(new CliffWalkingEnv(), { gamma: 2 })).toThrow(/gamma must be in \[0, 1\]/);
    expect(() => new QLearning(new CliffWalkingEnv(), { epsilon: 'x' as never })).toThrow(/epsilon/);
    await expect(new QLearning(new CliffWalkingEnv()).learn(-1)).rejects.toThrow(/non-negative integer/);
  });
});

describe('Monte Carlo control', () => {
  it('learns to reach the goal of non-slippery FrozenLake', async () => {
    const make = () => new TimeLimit(new FrozenLakeEnv({ isSlippery: false }), 100);
    const agent = new McControl(make(), { epsilon: 0.3, seed: 2 });
    await agent.learn(20_000);
    expect(greedyReturn(agent, new FrozenLakeEnv({ isSlippery: false }))).toBe(1);
  });
  it('checkpoint then resume equals an uninterrupted run', async () => {
    const make = () => new TimeLimit(new FrozenLakeEnv(), 100);
    const full = await new McControl(make(), { seed: 4 }).learn(4000);
    const dir = tmp();
    const part = new McControl(make(), { seed: 4 });
    await part.learn(4000, { onIteration: (it) => (it.numTimesteps === 1001 ? (part.save(dir), false) : undefined) });
    const resumed = McControl.load(dir, make());
    await resumed.learn(4000);
    expect(Array.from(resumed.Q)).toEqual(Array.from(full.Q));
  });
});
