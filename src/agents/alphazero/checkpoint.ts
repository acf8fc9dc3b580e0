/**
 * Checkpoints of a run, written every generation so that `--resume` continues a killed run
 * exactly. The run directory:
 *
 *   config.json            the run's settings
 *   metrics.jsonl          events, one JSON line each
 *   games/gen-000001.jsonl self-play games of each generation (written whole, atomically)
 *   models/gen-000001/     the net trained in each generation (src/nets/io.ts: model.json + weights.bin)
 *   checkpoint/            the last completed generation:
 *     state.json             counters, Rng state, resignation data, Elo ladder, config
 *     current/ best/         the trained net and the best (self-play) net
 *     optimizer.bin          optimizer slots (momentum or Adam moments) and iteration count
 *     buffer.bin             the replay buffer
 *     selfplay-weights.bin   overlapped self-play only: the weights the next generation's games play with
 *                            (encodeWeightBlob, the format cluster nets use)
 *
 * A new checkpoint is written in full to a temporary directory, then swapped in by renames
 * (checkpoint -> checkpoint.old, tmp -> checkpoint, remove checkpoint.old). A run killed at any
 * moment leaves `checkpoint` or `checkpoint.old` complete; loadCheckpoint takes whichever exists.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { tf } from '../../nets/backend.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../util/fs.ts';
import type { RngState } from '../../util/rng.ts';
import type { AZConfig } from './config.ts';
import type { EloEntry } from './elo.ts';
import { decodeWeightBlob, encodeWeightBlob, loadNet, saveNet, type LoadedNet, type NetSpec, type WeightBlob } from './net.ts';
import { ReplayBuffer } from './replay-buffer.ts';
import type { ResignRecord } from './resign.ts';
import type { OptimizerSlot } from './trainer.ts';

export interface RunState {
  format: 'tengen-az-checkpoint-1';
  /** Generations completed. */
  generation: number;
  /** Generation whose net plays self-play (zero mode) / the last accepted one. */
  bestGeneration: number;
  trainStep: number;
  totalGames: number;
  totalPositions: number;
  /** Seconds of run time so far (across resumes). */
  elapsedSec: number;
  /** Seconds the last generation took (the estimate of the next one's for a time budget; absent in older checkpoints). */
  lastGenerationSec?: number;
  rng: RngState;
  resignThreshold: number | null;
  resignRecords: ResignRecord[];
  /** Overlapped self-play: whether selfPlayWeights had been trained when taken (absent before this field existed). */
  selfPlayWeightsTrained?: boolean;
  /**
   * Bytes of metrics.jsonl that belong to the generations this checkpoint holds (absent: the run
   * keeps no metrics file, or the checkpoint predates this field). A resumed run cuts the file there.
   */
  metricsBytes?: number;
  elo: EloEntry[];
  config: AZConfig;
}

export interface Checkpoint {
  state: RunState;
  current: LoadedNet;
  best: LoadedNet;
  optimizer: OptimizerSlot[];
  buffer: ReplayBuffer;
  /** Overlapped self-play: the weights the next generation's games play with. */
  selfPlayWeights?: WeightBlob;
}

/** Float arrays with a JSON header: [u32 header length][header][pad][f32 data...]. */
export function packSlots(slots: OptimizerSlot[]): Uint8Array {
  const header = Buffer.from(JSON.stringify(slots.map((s) => ({ name: s.name, shape: s.shape, size: s.data.length }))), 'utf8');
  const pad = (4 - (header.length % 4)) % 4;
  const total = slots.reduce((n, s) => n + s.data.length, 0);
  const out = new Uint8Array(4 + header.length + pad + total * 4);
  new DataView(out.buffer).setUint32(0, header.length + pad, true);
  out.set(header, 4);
  out.fill(0x20, 4 + header.length, 4 + header.length + pad);
  const body = new Float32Array(out.buffer, 4 + header.length + pad, total);
  let off = 0;
  for (const s of slots) {
    body.set(s.data, off);
    off += s.data.length;
  }
  return out;
}

export function unpackSlots(bytes: Uint8Array, what: string): OptimizerSlot[] {
  if (bytes.length < 4) throw new Error(`${what} is truncated`);
  const hlen = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  let meta: { name: string; shape: number[]; size: number }[];
  try {
    meta = JSON.parse(Buffer.from(bytes.subarray(4, 4 + hlen)).toString('utf8')) as typeof meta;
  } catch {
    throw new Error(`${what} has a corrupt header`);
  }
  const total = meta.reduce((n, m) => n + m.size, 0);
  if (bytes.length !== 4 + hlen + total * 4) throw new Error(`${what} is truncated: expected ${4 + hlen + total * 4} bytes, found ${bytes.length}`);
  const body = new Float32Array(bytes.slice(4 + hlen).buffer);
  let off = 0;
  return meta.map((m) => {
    const data = body.slice(off, off + m.size);
    off += m.size;
    return { name: m.name, shape: m.shape, data };
  });
}

export function generationName(g: number): string {
  return `gen-${String(g).padStart(6, '0')}`;
}

/** Write a full checkpoint atomically (see the file comment). */
export async function saveCheckpoint(
  runDir: string,
  state: RunState,
  spec: NetSpec,
  current: tf.LayersModel,
  best: tf.LayersModel,
  optimizer: OptimizerSlot[],
  buffer: ReplayBuffer,
  selfPlayWeights: WeightBlob | null = null,
): Promise<string> {
  const final = join(runDir, 'checkpoint');
  const tmp = join(runDir, `checkpoint.tmp-${process.pid}`);
  const old = join(runDir, 'checkpoint.old');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await saveNet(join(tmp, 'current'), spec, current, { generation: state.generation });
  await saveNet(join(tmp, 'best'), spec, best, { generation: state.bestGeneration });
  writeFileAtomic(join(tmp, 'optimizer.bin'), packSlots(optimizer));
  buffer.save(join(tmp, 'buffer.bin'));
  if (selfPlayWeights) writeFileAtomic(join(tmp, SELFPLAY_WEIGHTS), encodeWeightBlob(selfPlayWeights));
  // state.json last: its presence marks a complete checkpoint directory.
  writeJsonAtomic(join(tmp, 'state.json'), state);
  if (existsSync(final)) {
    rmSync(old, { recursive: true, force: true });
    renameSync(final, old);
  }
  renameSync(tmp, final);
  rmSync(old, { recursive: true, force: true });
  return final;
}

/**
 * Set the run's clock (and the last generation's length, and the metrics length) in the newest checkpoint, when that
 * checkpoint is of `generation`: work done after a generation's checkpoint (the GNU Go yardstick)
 * then counts on resume, even when the run ends or is killed before the next checkpoint. Only
 * state.json is rewritten (atomically).
 */
export function updateCheckpointClock(runDir: string, generation: number, times: Pick<RunState, 'elapsedSec' | 'lastGenerationSec' | 'metricsBytes'>): boolean {
  const file = join(runDir, 'checkpoint', 'state.json');
  if (!existsSync(file)) return false;
  const state = JSON.parse(readFileSync(file, 'utf8')) as RunState;
  if (state.generation !== generation) return false;
  writeJsonAtomic(file, { ...state, ...times });
  return true;
}

/** The directory of the newest complete checkpoint in a run, or null. */
export function findCheckpoint(runDir: string): string | null {
  for (const name of ['checkpoint', 'checkpoint.old']) {
    const d = join(runDir, name);
    if (existsSync(join(d, 'state.json'))) return d;
  }
  return null;
}

/** Load the newest complete checkpoint of a run (throws a clear error when there is none). */
export async function loadCheckpoint(runDir: string, bufferCapacity?: number): Promise<Checkpoint> {
  const dir = findCheckpoint(runDir);
  if (dir === null) throw new Error(`no checkpoint to resume in ${runDir} (expected ${join(runDir, 'checkpoint', 'state.json')})`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
  } catch (e) {
    throw new Error(`cannot read ${join(dir, 'state.json')}: ${(e as Error).message}`);
  }
  const state = checkRunState(parsed, join(dir, 'state.json'));
  return {
    state,
    current: await loadNet(join(dir, 'current')),
    best: await loadNet(join(dir, 'best')),
    optimizer: unpackSlots(new Uint8Array(readFileSync(join(dir, 'optimizer.bin'))), join(dir, 'optimizer.bin')),
    buffer: ReplayBuffer.load(join(dir, 'buffer.bin'), bufferCapacity),
    ...(existsSync(join(dir, SELFPLAY_WEIGHTS)) ? { selfPlayWeights: decodeWeightBlob(readFileSync(join(dir, SELFPLAY_WEIGHTS)), (reason) => new Error(`${join(dir, SELFPLAY_WEIGHTS)}: ${reason}`)) } : {}),
  };
}

const SELFPLAY_WEIGHTS = 'selfplay-weights.bin';

/** Check state.json field by field: a hand-edited or damaged file is one line naming the field, not a failure deep in a resumed run. */
export function checkRunState(x: unknown, file: string): RunState {
  const bad = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  if (typeof x !== 'object' || x === null || Array.isArray(x)) bad('not a JSON object');
  const o = x as Record<string, unknown>;
  if (o['format'] !== 'tengen-az-checkpoint-1') bad('not a tengen AlphaZero checkpoint (format is not tengen-az-checkpoint-1)');
  const count = (k: string): void => {
    if (typeof o[k] !== 'number' || !Number.isSafeInteger(o[k]) || (o[k] as number) < 0) bad(`${k} is ${JSON.stringify(o[k])}, expected a whole number >= 0`);
  };
  for (const k of ['generation', 'bestGeneration', 'trainStep', 'totalGames', 'totalPositions']) count(k);
  if (o['metricsBytes'] !== undefined) count('metricsBytes');
  const seconds = (k: string): void => {
    if (typeof o[k] !== 'number' || !Number.isFinite(o[k]) || (o[k] as number) < 0) bad(`${k} is ${JSON.stringify(o[k])}, expected seconds >= 0`);
  };
  seconds('elapsedSec');
  if (o['lastGenerationSec'] !== undefined) seconds('lastGenerationSec');
  const rng = o['rng'];
  if (!Array.isArray(rng) || rng.length !== 4 || !rng.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) bad(`rng is ${JSON.stringify(rng)?.slice(0, 60)}, expected four uint32 words`);
  if (o['resignThreshold'] !== null && (typeof o['resignThreshold'] !== 'number' || !Number.isFinite(o['resignThreshold']))) bad('resignThreshold is neither null nor a number');
  const records = o['resignRecords'];
  if (!Array.isArray(records) || !records.every((r: unknown) => {
    const q = r as { minValue?: unknown; returns?: unknown } | null;
    return typeof q === 'object' && q !== null && Array.isArray(q.minValue) && Array.isArray(q.returns);
  })) bad('resignRecords is not a list of {minValue, returns}');
  const elo = o['elo'];
  if (!Array.isArray(elo) || !elo.every((e: unknown) => typeof e === 'object' && e !== null && Number.isInteger((e as { generation?: unknown }).generation) && typeof (e as { elo?: unknown }).elo === 'number')) bad('elo is not a list of {generation, elo, ...}');
  if (o['selfPlayWeightsTrained'] !== undefined && typeof o['selfPlayWeightsTrained'] !== 'boolean') bad('selfPlayWeightsTrained is not true or false');
  const config = o['config'];
  if (typeof config !== 'object' || config === null || Array.isArray(config) || typeof (config as { game?: unknown }).game !== 'string') bad('config is not a run config with a game');
  return o as unknown as RunState;
}

