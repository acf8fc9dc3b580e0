// Our classic-control envs against trajectories recorded from Gymnasium itself
// (test/fixtures/gym/*.json, made by scripts/gen-gym-fixtures.py): every float32 observation
// must be bit-identical, rewards and termination equal.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AcrobotEnv } from '../../src/env/classic/acrobot.ts';
import { CartPoleEnv } from '../../src/env/classic/cartpole.ts';
import { MountainCarEnv } from '../../src/env/classic/mountain-car.ts';
import { PendulumEnv } from '../../src/env/classic/pendulum.ts';
import type { StatefulEnv } from '../../src/env/core.ts';

interface Step {
  a: number | number[];
  obs: number[];
  r: number;
  term: boolean;
  state: number[];
}
interface Traj {
  start: number[];
  steps: Step[];
}
const load = <T>(name: string): T => (JSON.parse(readFileSync(new URL(`../fixtures/gym/${name}`, import.meta.url), 'utf8')) as { data: T }).data;

type AnyEnv = StatefulEnv<Float32Array, unknown>;
const action = (a: number | number[]): unknown => (Array.isArray(a) ? Float32Array.from(a) : a);

/** Free run: from the start state, replay every action; compare every observation bit for bit. */
function freeRun(env: AnyEnv, t: Traj): void {
  env.reset({ seed: 0 });
  env.state = t.start.slice();
  t.steps.forEach((s, i) => {
    const r = env.step(action(s.a));
    expect(Array.from(r.observation), `step ${i} observation`).toEqual(s.obs);
    expect(r.reward, `step ${i} reward`).toBe(s.r);
    expect(r.terminated, `step ${i} terminated`).toBe(s.term);
  });
}

/** Single steps: from each recorded state, one step must give the recorded observation (and state to within an ulp or two). */
function singleSteps(env: AnyEnv, t: Traj): number {
  env.reset({ seed: 0 });
  let prev = t.start;
  let exactStates = 0;
  t.steps.forEach((s, i) => {
    env.state = prev.slice();
    const r = env.step(action(s.a));
    expect(Array.from(r.observation), `step ${i} observation`).toEqual(s.obs);
    expect(r.reward, `step ${i} reward`).toBe(s.r);
    expect(r.terminated, `step ${i} terminated`).toBe(s.term);
    const st = env.state;
    st.forEach((v, j) => expect(Math.abs(v - s.state[j]!), `step ${i} state[${j}]`).toBeLessThanOrEqual(4 * Number.EPSILON * Math.max(1, Math.abs(v))));
    if (st.every((v, j) => v === s.state[j])) exactStates++;
    prev = s.state;
  });
  return exactStates;
}

describe('classic control matches Gymnasium bit for bit', () => {
  it('CartPole-v1: float32 observations, rewards (incl. steps after termination), termination', () => {
    const d = load<{ trajectories: Traj[] }>('cartpole.json');
    expect(d.trajectories.length).toBeGreaterThan(2);
    for (const t of d.trajectories) {
      freeRun(new CartPoleEnv() as AnyEnv, t);
      singleSteps(new CartPoleEnv() as AnyEnv, t);
    }
    // the fixture covers termination and the 0-reward steps after it
    expect(d.trajectories.some((t) => t.steps.some((s) => s.term && s.r === 0))).toBe(true);
  });

  it('MountainCar-v0: including the left wall (velocity zeroed)', () => {
    const d = load<{ trajectories: Traj[] }>('mountain-car.json');
    for (const t of d.trajectories) {
      freeRun(new MountainCarEnv() as AnyEnv, t);
      singleSteps(new MountainCarEnv() as AnyEnv, t);
    }
  });

  it('Pendulum-v1: float32 torque (clipped), rewards as float64 costs', () => {
    const d = load<{ trajectories: Traj[] }>('pendulum.json');
    for (const t of d.trajectories) {
      freeRun(new PendulumEnv() as AnyEnv, t);
      singleSteps(new PendulumEnv() as AnyEnv, t);
    }
  });

  it('Acrobot-v1: every RK4 step from a recorded state, and the free run, book and nips dynamics', () => {
    const variants = load<{ bookOrNips: 'book' | 'nips'; trajectories: Traj[] }[]>('acrobot.json');
    expect(variants.map((v) => v.bookOrNips).sort()).toEqual(['book', 'nips']);
    let exact = 0;
    let total = 0;
    for (const v of variants) {
      for (const t of v.trajectories) {
        exact += singleSteps(new AcrobotEnv({ bookOrNips: v.bookOrNips }) as AnyEnv, t);
        total += t.steps.length;
        freeRun(new AcrobotEnv({ bookOrNips: v.bookOrNips }) as AnyEnv, t);
      }
    }
    // the double-precision state itself is identical on nearly every step (glibc's sin/cos misround on ~0.1% of arguments)
    expect(exact / total).toBeGreaterThan(0.9);
  });

  it('Acrobot book and nips dynamics differ', () => {
    const a = new AcrobotEnv({ bookOrNips: 'book' });
    const b = new AcrobotEnv({ bookOrNips: 'nips' });
    for (const e of [a, b]) {
      e.reset({ seed: 1 });
      e.state = [0.5, 1.0, 2.0, -1.0];
    }
    expect(Array.from(a.step(2).observation)).not.toEqual(Array.from(b.step(2).observation));
  });
});
