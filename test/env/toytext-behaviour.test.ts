// Toy-text behaviour users rely on beyond the transition tables.
import { describe, expect, it } from 'vitest';
import { make } from '../../src/env/registry.ts';
import { FrozenLakeEnv, generateRandomMap, isValidMap } from '../../src/env/toytext/frozen-lake.ts';
import { TaxiEnv, decode, encode } from '../../src/env/toytext/taxi.ts';

describe('FrozenLake', () => {
  it('generateRandomMap is seeded, starts at S, ends at G and always has a path', () => {
    const a = generateRandomMap(8, 0.6, 3);
    expect(generateRandomMap(8, 0.6, 3)).toEqual(a);
    expect(generateRandomMap(8, 0.6, 4)).not.toEqual(a);
    for (let seed = 0; seed < 30; seed++) {
      const m = generateRandomMap(6, 0.5, seed);
      expect(m.length).toBe(6);
      expect(m[0]![0]).toBe('S');
      expect(m[5]![5]).toBe('G');
      expect(isValidMap(m)).toBe(true);
    }
    const env = new FrozenLakeEnv({ desc: a });
    expect(env.nS).toBe(64);
  });
  it('rejects malformed maps with a clear message', () => {
    expect(() => new FrozenLakeEnv({ desc: ['SFX', 'FFG'] })).toThrow(/only use the letters S, F, H, G; found 'X'/);
    expect(() => new FrozenLakeEnv({ desc: ['SF', 'FFG'] })).toThrow(/same, non-zero length/);
  });
  it('slippery moves follow the 1/3 split empirically', () => {
    const env = make('FrozenLake-v1', { maxEpisodeSteps: null });
    const counts = new Map<number, number>();
    env.reset({ seed: 0 });
    for (let i = 0; i < 3000; i++) {
      env.reset();
      const r = env.step(2); // right from the start: right (1), down (4) or up (stay, 0)
      counts.set(r.observation as number, (counts.get(r.observation as number) ?? 0) + 1);
    }
    for (const s of [0, 1, 4]) expect(Math.abs(counts.get(s)! / 3000 - 1 / 3)).toBeLessThan(0.04);
  });
  it('renders the map with the agent as @ and no colour codes', () => {
    const env = make('FrozenLake-v1');
    env.reset({ seed: 0 });
    expect(env.render!()).toBe('\n@FFF\nFHFH\nFFFH\nHFFG\n');
  });
});

describe('Taxi', () => {
  it('encode and decode are inverse; reset puts the passenger at a stand other than the destination', () => {
    for (let s = 0; s < 500; s++) expect(encode(...decode(s))).toBe(s);
    const env = new TaxiEnv();
    env.reset({ seed: 1 });
    for (let i = 0; i < 200; i++) {
      const [, , pass, dest] = decode(env.reset().observation);
      expect(pass).toBeLessThan(4);
      expect(pass).not.toBe(dest);
    }
  });
  it('info carries prob and action_mask', () => {
    const env = make('Taxi-v4');
    const { info } = env.reset({ seed: 2 });
    expect(info.prob).toBe(1.0);
    expect(info.action_mask).toBeInstanceOf(Int8Array);
  });
  it('a fickle passenger changes destination at most once, after the first move with them aboard', () => {
    const env = new TaxiEnv({ ficklePassenger: true, fickleProbability: 1 });
    env.reset({ seed: 5 });
    env.state = [encode(2, 2, 4, 0)];
    const s = env.step(0).observation;
    expect(decode(s).slice(0, 3)).toEqual([3, 2, 4]);
    expect(decode(s)[3]).not.toBe(0);
    const dest = decode(s)[3];
    expect(decode(env.step(1).observation)[3]).toBe(dest);
  });
});

describe('CliffWalking', () => {
  it('the cliff costs -100 and returns to the start without ending the episode', () => {
    const env = make('CliffWalking-v1');
    env.reset({ seed: 0 });
    const r = env.step(1); // right from the start, into the cliff
    expect(r).toMatchObject({ observation: 36, reward: -100, terminated: false });
  });
});
