/**
 * Tiny environments for fast agent tests (a few thousand steps to learn), written against the
 * src/env contract.
 */
import { Box, Discrete } from '../../../src/env/spaces.ts';
import { Rng } from '../../../src/util/rng.ts';

type Step<O> = { observation: O; reward: number; terminated: boolean; truncated: boolean; info: Record<string, unknown> };

/**
 * Corridor of `length` cells, one-hot observation, actions 0 = left, 1 = right. Reward -0.1 per
 * step and +1 on reaching the right end (terminated); truncated after `limit` steps.
 * The optimal return from the left end is 1 - 0.1 * (length - 2).
 */
export class Corridor {
  readonly observationSpace: Box;
  readonly actionSpace = new Discrete(2);
  private pos = 0;
  private t = 0;
  constructor(
    readonly length = 6,
    readonly limit = 20,
  ) {
    this.observationSpace = new Box(0, 1, [length]);
  }
  private obs(): Float32Array {
    const o = new Float32Array(this.length);
    o[this.pos] = 1;
    return o;
  }
  reset(_opts?: { seed?: number }): { observation: Float32Array; info: Record<string, unknown> } {
    this.pos = 0;
    this.t = 0;
    return { observation: this.obs(), info: {} };
  }
  step(a: number): Step<Float32Array> {
    this.pos = Math.max(0, Math.min(this.length - 1, this.pos + (a === 1 ? 1 : -1)));
    this.t++;
    const terminated = this.pos === this.length - 1;
    return { observation: this.obs(), reward: terminated ? 1 : -0.1, terminated, truncated: !terminated && this.t >= this.limit, info: {} };
  }
}

/**
 * Never terminates: reward 1 every step, truncated after `limit` steps, constant observation.
 * With correct time-limit handling V = 1 / (1 - gamma); treating truncation as termination
 * gives at most sum_{k<limit} gamma^k.
 */
export class Endless {
  readonly observationSpace = new Box(-1, 1, [1]);
  readonly actionSpace: Discrete | Box;
  private t = 0;
  constructor(
    readonly limit = 5,
    continuous = false,
  ) {
    this.actionSpace = continuous ? new Box(-1, 1, [1]) : new Discrete(2);
  }
  reset(_opts?: { seed?: number }): { observation: Float32Array; info: Record<string, unknown> } {
    this.t = 0;
    return { observation: Float32Array.of(0.5), info: {} };
  }
  step(_a: unknown): Step<Float32Array> {
    this.t++;
    return { observation: Float32Array.of(0.5), reward: 1, terminated: false, truncated: this.t >= this.limit, info: {} };
  }
}

/**
 * Continuous target matching: observe x ~ U(-1, 1), act a in [-2, 2], reward -(a - x)^2;
 * 8 steps per episode (truncated). Random N(0, 1) actions score about -1.33 per step; the best
 * policy (a = x) scores 0.
 */
export class Target {
  readonly observationSpace = new Box(-1, 1, [1]);
  readonly actionSpace = new Box(-2, 2, [1]);
  private x = 0;
  private t = 0;
  private rng = new Rng(0);
  reset(opts?: { seed?: number }): { observation: Float32Array; info: Record<string, unknown> } {
    if (opts?.seed !== undefined) this.rng = new Rng(opts.seed);
    this.t = 0;
    this.x = this.rng.uniform(-1, 1);
    return { observation: Float32Array.of(this.x), info: {} };
  }
  step(a: ArrayLike<number>): Step<Float32Array> {
    const r = -((a[0]! - this.x) ** 2);
    this.t++;
    this.x = this.rng.uniform(-1, 1);
    return { observation: Float32Array.of(this.x), reward: r, terminated: false, truncated: this.t >= 8, info: {} };
  }
}
