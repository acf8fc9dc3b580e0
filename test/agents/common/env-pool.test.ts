import { describe, expect, it } from 'vitest';
import { EnvPool } from '../../../src/agents/common/env-pool.ts';
import { make } from '../../../src/env/registry.ts';
import type { AgentEnv } from '../../../src/agents/common/env-types.ts';
import { Corridor } from './toy-envs.ts';

describe('EnvPool (same-step autoreset)', () => {
  it('keeps the final observation of an ended episode and continues from the reset one', () => {
    const pool = new EnvPool([new Corridor(3)], 0);
    pool.step([1]);
    expect(pool.finalObs[0]).toBeNull();
    const ended = pool.step([1]);
    expect(ended).toEqual([{ envIndex: 0, episodicReturn: 0.9, episodeLength: 2, terminated: true }]);
    expect(Array.from(pool.finalObs[0] as Float32Array)).toEqual([0, 0, 1]);
    expect(Array.from(pool.obs[0] as Float32Array)).toEqual([1, 0, 0]);
    expect(pool.terminated[0]).toBe(1);
  });

  it('restores every copy exactly from a saved state (reset seed + action replay)', () => {
    const mk = () => make('FrozenLake-v1') as unknown as AgentEnv;
    const a = new EnvPool([mk(), mk()], 9);
    const acts = [0, 1, 2, 3, 1, 2, 2, 1, 0, 3, 2, 1];
    for (let t = 0; t < 6; t++) a.step([acts[t]!, acts[t + 1]!]);
    const b = new EnvPool([mk(), mk()], 123);
    b.setState(a.getState());
    expect(b.obs).toEqual(a.obs);
    for (let t = 0; t < 200; t++) {
      const x = [acts[t % 12]!, acts[(t * 7) % 12]!];
      expect(b.step(x)).toEqual(a.step(x));
      expect(b.obs).toEqual(a.obs);
    }
  });
});
