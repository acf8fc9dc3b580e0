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
  envId?: string;
  numTimesteps: number;
  options: unknown;
  state: unknown;
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

export function loadCheckpoint(dir: string): { meta: CheckpointMeta; arrays: Map<string, NumArray> } {
  const metaPath = join(dir, META);
  if (!existsSync(metaPath)) throw new UserError(`no saved agent in ${dir} (expected ${META})`);
  let m: OnDisk;
  try {
    m = JSON.parse(readFileSync(metaPath, 'utf8')) as OnDisk;
  } catch (e) {
    throw new UserError(`${metaPath} is not valid JSON: ${(e as Error).message}`);
  }
  if (m.format !== 'tengen-agent' || m.version !== 1) throw new UserError(`${metaPath} is not a tengen agent checkpoint (format ${String(m.format)} v${String(m.version)})`);
  const binPath = join(dir, m.arraysFile);
  if (!existsSync(binPath)) throw new UserError(`checkpoint ${dir} is missing ${m.arraysFile}`);
  const bytes = readFileSync(binPath);
  const arrays = new Map<string, NumArray>();
  for (const e of m.arrays) {
    const size = e.dtype === 'float64' ? 8 : e.dtype === 'uint8' ? 1 : 4;
    if (e.offset + e.length * size > bytes.length) throw new UserError(`checkpoint ${dir}: ${m.arraysFile} is truncated`);
    const copy = new Uint8Array(bytes.subarray(e.offset, e.offset + e.length * size));
    const a = e.dtype === 'float32' ? new Float32Array(copy.buffer) : e.dtype === 'float64' ? new Float64Array(copy.buffer) : e.dtype === 'int32' ? new Int32Array(copy.buffer) : copy;
    arrays.set(e.name, a);
  }
  const { arraysFile: _f, arrays: _a, ...meta } = m;
  return { meta, arrays };
}

/** Peek at the algorithm of a saved agent without loading its arrays. */
export function checkpointAlgo(dir: string): { algo: string; envId?: string } {
  const metaPath = join(dir, META);
  if (!existsSync(metaPath)) throw new UserError(`no saved agent in ${dir} (expected ${META})`);
  const m = JSON.parse(readFileSync(metaPath, 'utf8')) as OnDisk;
  return { algo: m.algo, envId: m.envId };
}

/** Get a named array, with a clear error when missing. */
export function need<T extends NumArray>(arrays: Map<string, NumArray>, name: string): T {
  const a = arrays.get(name);
  if (!a) throw new UserError(`checkpoint is missing array '${name}'`);
  return a as T;
}
