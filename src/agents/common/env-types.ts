/**
 * The slice of the Gymnasium-style Env contract (DESIGN.md) that the classic agents rely on,
 * written structurally so the agents work with src/env's classes and with any env of the same
 * shape. Spaces are recognised by their fields: Discrete has `n`, Box has `shape`/`low`/`high`,
 * Tuple has `spaces`.
 */
import { UserError } from '../../util/errors.ts';

export type Info = Record<string, unknown>;

export interface AgentEnv {
  observationSpace: unknown;
  actionSpace: unknown;
  reset(opts?: { seed?: number; options?: Record<string, unknown> }): { observation: unknown; info: Info };
  step(action: never): { observation: unknown; reward: number; terminated: boolean; truncated: boolean; info: Info };
  render?(): string;
}

/** What an agent needs to know about a space. */
export type SpaceInfo =
  | { kind: 'discrete'; n: number; start: number }
  | { kind: 'box'; shape: number[]; size: number; low: Float64Array; high: Float64Array }
  | { kind: 'tuple'; parts: { n: number; start: number }[]; n: number };

function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

/** Classify a space; throws a UserError for spaces the classic agents do not handle. */
export function spaceInfo(space: unknown, what = 'space'): SpaceInfo {
  const s = space as Record<string, unknown> | null;
  if (s && typeof s === 'object') {
    const n = num(s['n']);
    if (n !== undefined && !Array.isArray(s['spaces'])) return { kind: 'discrete', n, start: num(s['start']) ?? 0 };
    if (Array.isArray(s['spaces'])) {
      const parts = (s['spaces'] as unknown[]).map((p, i) => {
        const info = spaceInfo(p, `${what}[${i}]`);
        if (info.kind !== 'discrete') throw new UserError(`${what}: only tuples of Discrete spaces are supported`);
        return { n: info.n, start: info.start };
      });
      return { kind: 'tuple', parts, n: parts.reduce((a, p) => a * p.n, 1) };
    }
    if (Array.isArray(s['shape'])) {
      const shape = (s['shape'] as number[]).slice();
      const size = shape.reduce((a, b) => a * b, 1);
      const lo = toVec(s['low'], size, -Infinity);
      const hi = toVec(s['high'], size, Infinity);
      return { kind: 'box', shape, size, low: lo, high: hi };
    }
  }
  throw new UserError(`${what}: unsupported space (expected Discrete, Box or Tuple of Discrete)`);
}

function toVec(v: unknown, size: number, dflt: number): Float64Array {
  const out = new Float64Array(size);
  if (typeof v === 'number') out.fill(v);
  else if (v && typeof (v as ArrayLike<number>).length === 'number') {
    const a = v as ArrayLike<number>;
    for (let i = 0; i < size; i++) out[i] = a[i] ?? dflt;
  } else out.fill(dflt);
  return out;
}

/** Flatten a discrete or tuple-of-discrete observation to one state index (mixed radix). */
export function discreteIndex(info: SpaceInfo, obs: unknown): number {
  if (info.kind === 'discrete') return (obs as number) - info.start;
  if (info.kind === 'tuple') {
    const a = obs as ArrayLike<number | boolean>;
    let idx = 0;
    for (let i = 0; i < info.parts.length; i++) {
      const p = info.parts[i]!;
      idx = idx * p.n + (Number(a[i]) - p.start);
    }
    return idx;
  }
  throw new Error('discreteIndex: observation space is continuous');
}

/** Number of inputs a network needs for observations of this space. */
export function obsSize(info: SpaceInfo): number {
  if (info.kind === 'box') return info.size;
  if (info.kind === 'discrete') return info.n;
  return info.parts.reduce((a, p) => a + p.n, 0);
}

/** Write one observation as network input (Box copied, Discrete/Tuple one-hot) into out[offset..]. */
export function encodeObs(info: SpaceInfo, obs: unknown, out: Float32Array, offset: number): void {
  if (info.kind === 'box') {
    const a = obs as ArrayLike<number>;
    for (let i = 0; i < info.size; i++) out[offset + i] = a[i]!;
    return;
  }
  if (info.kind === 'discrete') {
    out.fill(0, offset, offset + info.n);
    out[offset + (obs as number) - info.start] = 1;
    return;
  }
  const a = obs as ArrayLike<number | boolean>;
  let o = offset;
  for (let i = 0; i < info.parts.length; i++) {
    const p = info.parts[i]!;
    out.fill(0, o, o + p.n);
    out[o + Number(a[i]) - p.start] = 1;
    o += p.n;
  }
}
