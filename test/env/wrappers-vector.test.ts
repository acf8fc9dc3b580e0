// Wrappers, the registry, spaces and the synchronous vector env behave as Gymnasium 1.x's.
import { describe, expect, it } from 'vitest';
import { CartPoleEnv } from '../../src/env/classic/cartpole.ts';
import { ResetNeeded } from '../../src/env/core.ts';
import { make } from '../../src/env/registry.ts';
import { Box, Discrete, Tuple } from '../../src/env/spaces.ts';
import { makeVec } from '../../src/env/vector.ts';
import { OrderEnforcing, RecordEpisodeStatistics, TimeLimit } from '../../src/env/wrappers.ts';

describe('make and the registry', () => {
  it('wraps as TimeLimit(OrderEnforcing(env)) like gymnasium.make', () => {
    const env = make('CartPole-v1');
    expect(env).toBeInstanceOf(TimeLimit);
    expect((env as TimeLimit).env).toBeInstanceOf(OrderEnforcing);
    expect(env.unwrapped).toBeInstanceOf(CartPoleEnv);
    expect(String(env)).toBe('TimeLimit<OrderEnforcing<CartPoleEnv<CartPole-v1>>>');
  });
  it('an unknown id lists the known ones and suggests the registered version', () => {
    expect(() => make('CartPole-v9')).toThrow(/Unknown environment 'CartPole-v9'.*Did you mean 'CartPole-v0' or 'CartPole-v1'.*Known environments: .*Taxi-v4/);
    expect(() => make('Taxi-v3')).toThrow(/Did you mean 'Taxi-v4'/);
  });
  it('passes options to the constructor (snake_case too) and rejects unknown ones', () => {
    const fl = make('FrozenLake-v1', { map_name: '8x8', isSlippery: false }).unwrapped as unknown as { nS: number; isSlippery: boolean };
    expect(fl.nS).toBe(64);
    expect(fl.isSlippery).toBe(false);
    expect(() => make('CartPole-v1', { gravity: 3 })).toThrow(/unknown option 'gravity'; expected one of: suttonBartoReward, kinematicsIntegrator/);
    expect(() => make('CartPole-v1', { maxEpisodeSteps: 0 })).toThrow(/positive integer/);
  });
  it('maxEpisodeSteps overrides the limit; null removes the TimeLimit', () => {
    const env = make('CartPole-v1', { maxEpisodeSteps: 3 });
    env.reset({ seed: 1 });
    env.unwrapped.state = [0, 0, 0, 0];
    expect([env.step(0).truncated, env.step(1).truncated, env.step(0).truncated]).toEqual([false, false, true]);
    expect(make('CartPole-v1', { maxEpisodeSteps: null })).toBeInstanceOf(OrderEnforcing);
  });
});

describe('wrappers', () => {
  it('OrderEnforcing: step and render before reset throw; a step after termination throws until reset', () => {
    const env = new OrderEnforcing(new CartPoleEnv());
    expect(() => env.step(0)).toThrow(ResetNeeded);
    expect(() => env.render()).toThrow(/before calling env.reset/);
    env.reset({ seed: 0 });
    env.unwrapped.state = [2.39, 5, 0, 0];
    expect(env.step(1).terminated).toBe(true);
    expect(() => env.step(1)).toThrow(/episode has already ended.*call env.reset\(\)/);
    env.reset();
    expect(() => env.step(1)).not.toThrow();
  });
  it('TimeLimit throws on a step after truncation', () => {
    const env = new TimeLimit(new CartPoleEnv(), 1);
    env.reset({ seed: 0 });
    expect(env.step(0).truncated).toBe(true);
    expect(() => env.step(0)).toThrow(ResetNeeded);
  });
  it('RecordEpisodeStatistics puts {r, l, t} in the final info only', () => {
    const env = new RecordEpisodeStatistics(make('CartPole-v1', { maxEpisodeSteps: 5 }));
    env.reset({ seed: 3 });
    env.unwrapped.state = [0, 0, 0, 0];
    const infos = [0, 1, 0, 1, 0].map((a) => env.step(a).info);
    expect(infos.slice(0, 4).every((i) => !('episode' in i))).toBe(true);
    const ep = infos[4]!.episode as { r: number; l: number; t: number };
    expect(ep.r).toBe(5);
    expect(ep.l).toBe(5);
    expect(ep.t).toBeGreaterThanOrEqual(0);
    expect(env.returnQueue).toEqual([5]);
  });
});

describe('seeding', () => {
  it('reset(seed) fixes the start state; an unseeded reset continues the stream', () => {
    const a = new CartPoleEnv();
    const b = new CartPoleEnv();
    expect(Array.from(a.reset({ seed: 5 }).observation)).toEqual(Array.from(b.reset({ seed: 5 }).observation));
    expect(Array.from(a.reset().observation)).toEqual(Array.from(b.reset().observation));
    expect(Array.from(a.reset({ seed: 6 }).observation)).not.toEqual(Array.from(b.reset({ seed: 5 }).observation));
    const o = a.reset({ seed: 1, options: { low: -0.2, high: 0.2 } }).observation;
    expect(Array.from(o).every((v) => Math.abs(v) <= 0.2)).toBe(true);
    expect(() => a.reset({ options: { low: 1, high: 0 } })).toThrow(/Lower bound/);
  });
});

describe('spaces', () => {
  it('Discrete with start, Box bounds and dtype, Tuple', () => {
    const d = new Discrete(3, -1);
    d.seed(0);
    const xs = Array.from({ length: 200 }, () => d.sample());
    expect(new Set(xs)).toEqual(new Set([-1, 0, 1]));
    expect(d.contains(2)).toBe(false);
    expect(d.contains(0.5)).toBe(false);
    const box = new Box([-1, -Infinity], [1, Infinity], [2]);
    box.seed(1);
    for (let i = 0; i < 100; i++) expect(box.contains(box.sample())).toBe(true);
    expect(box.contains([2, 0])).toBe(false);
    expect(box.contains(Float64Array.of(0, 0))).toBe(false); // float64 does not fit a float32 Box
    expect(() => new Box([1], [0])).toThrow(/low\[0\]=1 is above high\[0\]=0/);
    const t = new Tuple([new Discrete(32), new Discrete(11), new Discrete(2)]);
    expect(t.contains([21, 10, 1])).toBe(true);
    expect(t.contains([21, 11, 1])).toBe(false);
    const b1 = new Box(-2, 2, [1]);
    const b2 = new Box(-2, 2, [1]);
    b1.seed(9);
    b2.seed(9);
    expect(Array.from(b1.sample())).toEqual(Array.from(b2.sample()));
  });
});

describe('SyncVectorEnv', () => {
  it('seeds sub-env i with seed + i and batches observations', () => {
    const v = makeVec<number>('CartPole-v1', 3);
    const { observations } = v.reset({ seed: 10 });
    expect(observations).toBeInstanceOf(Float32Array);
    expect(observations.length).toBe(12);
    for (let i = 0; i < 3; i++) {
      const single = make('CartPole-v1').reset({ seed: 10 + i }).observation as Float32Array;
      expect(Array.from((observations as Float32Array).subarray(4 * i, 4 * i + 4))).toEqual(Array.from(single));
    }
  });
  it('NEXT_STEP autoreset: the step after an episode ends returns the reset observation, reward 0, flags false', () => {
    const v = makeVec<number>('CartPole-v1', 2, { maxEpisodeSteps: 2 });
    v.reset({ seed: 0 });
    const s1 = v.step([0, 1]);
    expect(Array.from(s1.truncations)).toEqual([0, 0]);
    const s2 = v.step([0, 1]);
    expect(Array.from(s2.truncations)).toEqual([1, 1]);
    expect(Array.from(s2.rewards)).toEqual([1, 1]);
    const s3 = v.step([1, 1]);
    expect(Array.from(s3.rewards)).toEqual([0, 0]);
    expect(Array.from(s3.terminations)).toEqual([0, 0]);
    expect(Array.from(s3.truncations)).toEqual([0, 0]);
    // the reset observation is a fresh start state (within the reset bounds)
    expect(Array.from(s3.observations as Float32Array).every((x) => Math.abs(x) <= 0.05)).toBe(true);
    const s4 = v.step([1, 1]);
    expect(Array.from(s4.rewards)).toEqual([1, 1]);
  });
  it("SAME_STEP autoreset: the ending step returns the reset observation, the final one in info.final_obs", () => {
    const v = makeVec<number>('CartPole-v1', 2, { maxEpisodeSteps: 2, autoresetMode: 'same-step' });
    v.reset({ seed: 0 });
    v.step([0, 1]);
    const s2 = v.step([0, 1]);
    expect(Array.from(s2.truncations)).toEqual([1, 1]);
    expect(Array.from(s2.rewards)).toEqual([1, 1]);
    const final = s2.infos[0]!.final_obs as Float32Array;
    expect(final).toBeInstanceOf(Float32Array);
    expect(Array.from((s2.observations as Float32Array).subarray(0, 4))).not.toEqual(Array.from(final));
    expect(Array.from((s2.observations as Float32Array).subarray(0, 4)).every((x) => Math.abs(x) <= 0.05)).toBe(true);
    expect(Array.from(v.step([0, 0]).rewards)).toEqual([1, 1]);
  });
  it('DISABLED autoreset: stepping an ended env throws until resetEnvs', () => {
    const v = makeVec<number>('CartPole-v1', 2, { maxEpisodeSteps: 1, autoresetMode: 'disabled' });
    const { observations } = v.reset({ seed: 0 });
    expect(Array.from(v.step([0, 0]).truncations)).toEqual([1, 1]);
    expect(() => v.step([0, 0])).toThrow(/episode has already ended/);
    v.resetEnvs([1, 1], observations);
    expect(Array.from(v.step([1, 1]).rewards)).toEqual([1, 1]);
  });
  it('Discrete observations batch into an Int32Array; wrong action count is an error', () => {
    const v = makeVec<number>('FrozenLake-v1', 4);
    const { observations } = v.reset({ seed: 0 });
    expect(observations).toBeInstanceOf(Int32Array);
    expect(Array.from(observations as Int32Array)).toEqual([0, 0, 0, 0]);
    expect(() => v.step([0, 1])).toThrow(/expected 4 actions, got 2/);
  });
});
