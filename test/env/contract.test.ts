// Every registered env keeps the Env contract under random play (after OpenSpiel's generic
// random-game test): observations in the observation space, finite rewards, boolean flags, an info
// object, truncation exactly at the time limit, a clear error on stepping a finished episode,
// and the same seed giving the same trajectory.
import { describe, expect, it } from 'vitest';
import { ResetNeeded, type Env } from '../../src/env/core.ts';
import { listEnvs, make } from '../../src/env/registry.ts';

const CAP = 300;

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
} // time limit imposed on envs without one (CliffWalking, Blackjack, WindyGridworld)

function play(env: Env<unknown, unknown>, seed: number, episodes: number): unknown[] {
  const trace: unknown[] = [];
  env.actionSpace.seed(seed);
  for (let ep = 0; ep < episodes; ep++) {
    const { observation, info } = env.reset({ seed: ep === 0 ? seed : undefined });
    expect(env.observationSpace.contains(observation)).toBe(true);
    expect(typeof info).toBe('object');
    trace.push(JSON.stringify(Array.from(observation as ArrayLike<number>)));
    for (let t = 1; ; t++) {
      const a = env.actionSpace.sample();
      check(env.actionSpace.contains(a), 'sampled action outside the action space');
      const r = env.step(a);
      const shown = (): string => JSON.stringify(Array.from(r.observation as ArrayLike<number>));
      check(env.observationSpace.contains(r.observation), `observation ${shown()} not in ${String(env.observationSpace)}`);
      check(Number.isFinite(r.reward), `reward ${r.reward} is not finite`);
      check(typeof r.terminated === 'boolean' && typeof r.truncated === 'boolean', 'terminated/truncated must be booleans');
      check(r.info !== null && typeof r.info === 'object', 'info must be an object');
      trace.push(r.reward, r.terminated, r.truncated, shown());
      const limit = env.spec!.maxEpisodeSteps!;
      check(r.truncated === t >= limit, `step ${t}: truncated=${r.truncated} but the limit is ${limit}`);
      if (r.terminated || r.truncated) {
        expect(() => env.step(a)).toThrow(ResetNeeded);
        expect(() => env.step(a)).toThrow(/reset/);
        break;
      }
    }
  }
  return trace;
}

describe('every registered env keeps the contract under random play', () => {
  it('the registry holds the Gymnasium ids and Windy Gridworld', () => {
    expect(listEnvs()).toEqual(expect.arrayContaining(['CartPole-v1', 'MountainCar-v0', 'Acrobot-v1', 'Pendulum-v1', 'FrozenLake-v1', 'FrozenLake8x8-v1', 'CliffWalking-v1', 'Taxi-v4', 'Blackjack-v1', 'WindyGridworld-v0']));
  });

  for (const id of listEnvs()) {
    it(id, () => {
      const opts = make(id).spec!.maxEpisodeSteps === null ? { maxEpisodeSteps: CAP } : {};
      const episodes = /Acrobot|Pendulum|MountainCar|Windy|Cliff/.test(id) ? 3 : 10;
      const env = make(id, opts);
      expect(() => env.step(env.actionSpace.sample())).toThrow(/before calling env.reset/);
      const a = play(env, 7, episodes);
      const b = play(make(id, opts), 7, episodes);
      expect(b).toEqual(a);
      const c = play(make(id, opts), 8, episodes);
      if (!id.startsWith('FrozenLake') && !id.startsWith('CliffWalking') && !id.startsWith('WindyGridworld')) expect(c).not.toEqual(a);
      expect(typeof env.render!()).toBe('string');
      // eslint-disable-next-line no-control-regex
      expect(env.render!()).not.toMatch(/\x1b\[/);
    });
  }
});

describe('time limits are those of gymnasium.make', () => {
  it.each([
    ['CartPole-v1', 500],
    ['CartPole-v0', 200],
    ['MountainCar-v0', 200],
    ['Acrobot-v1', 500],
    ['Pendulum-v1', 200],
    ['FrozenLake-v1', 100],
    ['FrozenLake8x8-v1', 200],
    ['Taxi-v4', 200],
  ] as const)('%s truncates at step %i', (id, limit) => {
    const env = make(id);
    expect(env.spec!.maxEpisodeSteps).toBe(limit);
    if (id === 'Pendulum-v1') {
      env.reset({ seed: 0 });
      for (let t = 1; t <= limit; t++) expect(env.step(Float32Array.of(0)).truncated).toBe(t === limit);
    }
  });
});
