/**
 * Observation and action spaces, after Gymnasium's `spaces`: Discrete, Box, Tuple.
 * Each space checks membership (contains) and draws seeded samples (seed(s), then sample()).
 */
import { Rng } from '../util/rng.ts';

export interface Space<T> {
  /** Shape of one element ([] for scalars). */
  readonly shape: readonly number[];
  contains(x: unknown): x is T;
  sample(): T;
  /** Re-seed the sampler; the same seed gives the same samples. */
  seed(seed: number): void;
  toString(): string;
}

abstract class SeededSpace {
  protected rng = new Rng(Math.floor(Math.random() * 4294967296));
  seed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0) throw new Error(`space.seed: seed must be a non-negative integer, got ${seed}`);
    this.rng = new Rng(seed);
  }
}

/** Integers {start, ..., start + n - 1}. */
export class Discrete extends SeededSpace implements Space<number> {
  readonly shape: readonly number[] = [];
  constructor(
    readonly n: number,
    readonly start = 0,
  ) {
    super();
    if (!Number.isInteger(n) || n <= 0) throw new Error(`Discrete: n must be a positive integer, got ${n}`);
    if (!Number.isInteger(start)) throw new Error(`Discrete: start must be an integer, got ${start}`);
  }
  contains(x: unknown): x is number {
    return typeof x === 'number' && Number.isInteger(x) && x >= this.start && x < this.start + this.n;
  }
  sample(): number {
    return this.start + this.rng.int(this.n);
  }
  override toString(): string {
    return this.start === 0 ? `Discrete(${this.n})` : `Discrete(${this.n}, start=${this.start})`;
  }
}

export type BoxDtype = 'float32' | 'float64';
export type BoxValue = Float32Array | Float64Array;

/** Real vectors in [low, high] (element-wise; bounds may be +-Infinity), stored as float32 or float64. */
export class Box<T extends BoxValue = BoxValue> extends SeededSpace implements Space<T> {
  readonly low: T;
  readonly high: T;
  readonly shape: readonly number[];
  readonly size: number;

  constructor(
    low: number | ArrayLike<number>,
    high: number | ArrayLike<number>,
    shape?: readonly number[],
    readonly dtype: BoxDtype = 'float32',
  ) {
    super();
    const inferred = typeof low !== 'number' ? [low.length] : typeof high !== 'number' ? [high.length] : undefined;
    const shp = shape ?? inferred;
    if (!shp) throw new Error('Box: give a shape when low and high are both scalars');
    if (shp.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`Box: shape must hold non-negative integers, got [${shp.join(', ')}]`);
    this.shape = [...shp];
    this.size = shp.reduce((a, b) => a * b, 1);
    const make = (v: number | ArrayLike<number>, what: string): T => {
      const arr = (dtype === 'float32' ? new Float32Array(this.size) : new Float64Array(this.size)) as T;
      if (typeof v === 'number') arr.fill(v);
      else {
        if (v.length !== this.size) throw new Error(`Box: ${what} has ${v.length} values but shape [${this.shape.join(', ')}] needs ${this.size}`);
        for (let i = 0; i < this.size; i++) arr[i] = v[i]!;
      }
      if (arr.some((x) => Number.isNaN(x))) throw new Error(`Box: ${what} contains NaN`);
      return arr;
    };
    this.low = make(low, 'low');
    this.high = make(high, 'high');
    for (let i = 0; i < this.size; i++) {
      if (this.low[i]! > this.high[i]!) throw new Error(`Box: low[${i}]=${this.low[i]} is above high[${i}]=${this.high[i]}`);
    }
  }

  /** Float32Array/Float64Array/number[] of the right size with every value in [low, high]. */
  contains(x: unknown): x is T {
    if (!(x instanceof Float32Array || x instanceof Float64Array || Array.isArray(x))) return false;
    if (x.length !== this.size) return false;
    if (this.dtype === 'float32' && x instanceof Float64Array) return false; // numpy: float64 does not cast safely to float32
    for (let i = 0; i < this.size; i++) {
      const v = x[i];
      if (typeof v !== 'number' || !(v >= this.low[i]! && v <= this.high[i]!)) return false;
    }
    return true;
  }

  boundedBelow(i: number): boolean {
    return this.low[i]! > -Infinity;
  }
  boundedAbove(i: number): boolean {
    return this.high[i]! < Infinity;
  }

  /** As Gymnasium: uniform on bounded dims, normal on unbounded, shifted exponential on half-bounded. */
  sample(): T {
    const out = (this.dtype === 'float32' ? new Float32Array(this.size) : new Float64Array(this.size)) as T;
    for (let i = 0; i < this.size; i++) {
      const lo = this.low[i]!;
      const hi = this.high[i]!;
      const below = this.boundedBelow(i);
      const above = this.boundedAbove(i);
      let v: number;
      if (below && above) v = this.rng.uniform(lo, hi);
      else if (!below && !above) v = this.rng.normal();
      else if (below) v = lo - Math.log(1 - this.rng.nextDouble());
      else v = hi + Math.log(1 - this.rng.nextDouble());
      out[i] = v;
      // float32 rounding may step outside the bounds: clamp as numpy's clip would.
      if (out[i]! < lo) out[i] = lo;
      if (out[i]! > hi) out[i] = hi;
    }
    return out;
  }

  override toString(): string {
    const num = (v: number): string => {
      if (this.dtype === 'float64' || !Number.isFinite(v)) return String(v);
      for (let p = 1; p <= 9; p++) if (Math.fround(Number(v.toPrecision(p))) === v) return String(Number(v.toPrecision(p)));
      return String(v);
    };
    const fmt = (a: BoxValue): string => {
      const first = a[0];
      return a.every((v) => v === first) ? num(first!) : `[${Array.from(a, num).join(', ')}]`;
    };
    return `Box(${fmt(this.low)}, ${fmt(this.high)}, (${this.shape.join(', ')}${this.shape.length === 1 ? ',' : ''}), ${this.dtype})`;
  }
}

type SpaceValues<S extends readonly Space<unknown>[]> = { [K in keyof S]: S[K] extends Space<infer T> ? T : never };

/** A fixed-length tuple of spaces, e.g. Blackjack's Tuple(Discrete(32), Discrete(11), Discrete(2)). Values are arrays. */
export class Tuple<S extends readonly Space<unknown>[] = readonly Space<unknown>[]> extends SeededSpace implements Space<SpaceValues<S>> {
  readonly shape: readonly number[] = [];
  constructor(readonly spaces: S) {
    super();
    if (spaces.length === 0) throw new Error('Tuple: needs at least one space');
  }
  contains(x: unknown): x is SpaceValues<S> {
    if (!Array.isArray(x) || x.length !== this.spaces.length) return false;
    return this.spaces.every((s, i) => s.contains(x[i]));
  }
  sample(): SpaceValues<S> {
    return this.spaces.map((s) => s.sample()) as SpaceValues<S>;
  }
  /** Seeds each sub-space with seed + i (Gymnasium seeds sub-spaces from one generator; streams differ anyway). */
  override seed(seed: number): void {
    super.seed(seed);
    this.spaces.forEach((s, i) => s.seed(seed + i));
  }
  override toString(): string {
    return `Tuple(${this.spaces.map((s) => s.toString()).join(', ')})`;
  }
}

/** Number of scalars in one element of a space (Discrete: 1; Box: its size; Tuple: sum). */
export function flatSize(space: Space<unknown>): number {
  if (space instanceof Box) return space.size;
  if (space instanceof Tuple) return space.spaces.reduce((a: number, s: Space<unknown>) => a + flatSize(s), 0);
  return 1;
}
