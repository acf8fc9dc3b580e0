/**
 * Agent checkpoints: a directory holding `agent.json` (algorithm, options, counters, RNG and
 * environment states, and an index of arrays) and one binary file of arrays (weights, optimizer
 * slots, replay buffer, Q tables). The binary file is written first under a fresh name, then
 * agent.json atomically points at it, then stale binaries are removed: a run killed at any moment
 * leaves the last complete checkpoint loadable.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../util/fs.ts';
import { UserError } from '../../util/errors.ts';

export type NumArray = Float32Array | Float64Array | Int32Array | Uint8Array;
type DType = 'float32' | 'float64' | 'int32' | 'uint8';

interface ArrayEntry {
  name: string;
  dtype: DType;
  offset: number;
  length: number;
}

export interface CheckpointMeta {
  format: 'tengen-agent';
  version: 1;
  algo: string;
  numTimesteps: number;
  options: unknown;
  state: unknown;
  /**
   * The caller's own record, committed with the agent in the same atomic write of agent.json
   * (`tengen train` keeps its run counters and metrics length here: one commit point per checkpoint).
   */
  extra?: Record<string, unknown>;
}

interface OnDisk extends CheckpointMeta {
  arraysFile: string;
  arrays: ArrayEntry[];
}

const META = 'agent.json';

function dtypeOf(a: NumArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'uint8';
}

export function saveCheckpoint(dir: string, meta: CheckpointMeta, arrays: Record<string, NumArray>): void {
  const entries: ArrayEntry[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    offset = Math.ceil(offset / 8) * 8;
    entries.push({ name, dtype: dtypeOf(a), offset, length: a.length });
    offset += a.byteLength;
  }
  const buf = new Uint8Array(offset);
  Object.values(arrays).forEach((a, i) => buf.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), entries[i]!.offset));
  const arraysFile = `arrays-${meta.numTimesteps}-${Date.now().toString(36)}.bin`;
  writeFileAtomic(join(dir, arraysFile), buf);
  const onDisk: OnDisk = { ...meta, arraysFile, arrays: entries };
  writeJsonAtomic(join(dir, META), onDisk);
  for (const f of readdirSync(dir)) if (/^arrays-.*\.bin$/.test(f) && f !== arraysFile) rmSync(join(dir, f), { force: true });
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, META));
}

/** agent.json, checked field by field: a truncated or hand-edited file is one clear line, never a stack trace. */
function readMeta(dir: string): OnDisk {
  const metaPath = join(dir, META);
  if (!existsSync(metaPath)) throw new UserError(`no saved agent in ${dir} (expected ${META})`);
  let m: unknown;
  try {
    m = JSON.parse(readFileSync(metaPath, 'utf8'));
  } catch (e) {
    throw new UserError(`${metaPath} is not valid JSON (${(e as Error).message}); the checkpoint is damaged`);
  }
  const bad = (what: string): never => {
    throw new UserError(`${metaPath} is not a tengen agent checkpoint: ${what}`);
  };
  if (typeof m !== 'object' || m === null || Array.isArray(m)) bad('expected a JSON object');
  const o = m as Record<string, unknown>;
  if (o['format'] !== 'tengen-agent' || o['version'] !== 1) bad(`format ${JSON.stringify(o['format'])} version ${JSON.stringify(o['version'])}, expected 'tengen-agent' version 1`);
  if (typeof o['algo'] !== 'string') bad('algo is not a string');
  if (typeof o['numTimesteps'] !== 'number' || !Number.isSafeInteger(o['numTimesteps']) || o['numTimesteps'] < 0) bad('numTimesteps is not a count');
  if (typeof o['arraysFile'] !== 'string' || !/^arrays-[A-Za-z0-9.-]+\.bin$/.test(o['arraysFile'])) bad('arraysFile is not an arrays-*.bin name in the directory');
  if (typeof o['state'] !== 'object' || o['state'] === null) bad('state is not an object');
  if (o['extra'] !== undefined && (typeof o['extra'] !== 'object' || o['extra'] === null || Array.isArray(o['extra']))) bad('extra is not an object');
  const arrays = o['arrays'];
  const dtypes = ['float32', 'float64', 'int32', 'uint8'];
  if (!Array.isArray(arrays) || !arrays.every((e: unknown) => {
    const a = e as Record<string, unknown> | null;
    return typeof a === 'object' && a !== null && typeof a['name'] === 'string' && dtypes.includes(a['dtype'] as string) && Number.isSafeInteger(a['offset']) && (a['offset'] as number) >= 0 && Number.isSafeInteger(a['length']) && (a['length'] as number) >= 0;
  })) bad('arrays is not a list of {name, dtype, offset, length}');
  return o as unknown as OnDisk;
}

export function loadCheckpoint(dir: string): { meta: CheckpointMeta; arrays: Map<string, NumArray> } {
  const m = readMeta(dir);
  const binPath = join(dir, m.arraysFile);
  if (!existsSync(binPath)) throw new UserError(`checkpoint ${dir} is missing ${m.arraysFile}`);
  const bytes = readFileSync(binPath);
  const arrays = new Map<string, NumArray>();
  for (const e of m.arrays) {
    const size = e.dtype === 'float64' ? 8 : e.dtype === 'uint8' ? 1 : 4;
    if (e.offset + e.length * size > bytes.length) throw new UserError(`checkpoint ${dir}: ${m.arraysFile} is truncated`);
    const copy = new Uint8Array(bytes.subarray(e.offset, e.offset + e.length * size));
    const a = e.dtype === 'float32' ? new Float32Array(copy.buffer) : e.dtype === 'float64' ? new Float64Array(copy.buffer) : e.dtype === 'int32' ? new Int32Array(copy.buffer) : copy;
    // NaN or infinite weights load silently and only show as a nonsense return far away: refuse them here.
    if (a instanceof Float32Array || a instanceof Float64Array) {
      for (let i = 0; i < a.length; i++) {
        if (!Number.isFinite(a[i]!)) throw new UserError(`checkpoint ${dir}: array '${e.name}' in ${m.arraysFile} holds a non-finite value (NaN or infinity); the agent cannot be used`);
      }
    }
    arrays.set(e.name, a);
  }
  const { arraysFile: _f, arrays: _a, ...meta } = m;
  return { meta, arrays };
}

/** What a saved agent is (and the record saved with it) without loading its arrays. */
export function checkpointInfo(dir: string): { algo: string; numTimesteps: number; extra?: Record<string, unknown> } {
  const m = readMeta(dir);
  return { algo: m.algo, numTimesteps: m.numTimesteps, ...(m.extra ? { extra: m.extra } : {}) };
}

/** Get a named array, with a clear error when missing. */
export function need<T extends NumArray>(arrays: Map<string, NumArray>, name: string): T {
  const a = arrays.get(name);
  if (!a) throw new UserError(`checkpoint is missing array '${name}'`);
  return a as T;
}
