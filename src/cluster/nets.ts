/**
 * Nets published by content hash. A net's bytes are
 *
 *   [u32 LE header length][header JSON {format, shapes}][pad to 4][float32 LE weights]
 *
 * and its name is the sha256 of those bytes. The trainer stores them at tengen:net:<hash> (or, with
 * a shared directory, as <dir>/<hash>.net, written atomically) and points tengen:run:<runId>:latest
 * at the newest; a worker fetches by hash (its own --net-dir first, then Redis) and checks the hash
 * of what it got before loading it, so a torn, tampered or mixed-up net is never played.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs.ts';
import { decodeWeightBlob, encodeWeightBlob, type WeightBlob } from '../agents/alphazero/net.ts';
import type { Redis } from './redis.ts';
import { latestKey, netKey, parseJson, parseNetPointer, PROTOCOL_VERSION, SchemaError, type NetPointer, type NetRef } from './schema.ts';

/** Published nets expire after a week without being re-published. */
const NET_TTL_S = 7 * 24 * 3600;

/** A net's bytes (the format above; src/agents/alphazero/net.ts writes and reads it). */
export function encodeNet(blob: WeightBlob): Buffer {
  return encodeWeightBlob(blob);
}

export function netHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Decode net bytes, checking them against `hash` first (SchemaError with the reason otherwise). */
export function decodeNet(bytes: Buffer, hash: string): WeightBlob {
  const what = `net ${hash.slice(0, 12)}`;
  const got = netHash(bytes);
  if (got !== hash) throw new SchemaError(what, `content hash ${got.slice(0, 12)}... does not match its name ${hash.slice(0, 12)}... (corrupt or tampered weights)`);
  return decodeWeightBlob(bytes, (reason) => new SchemaError(what, reason));
}

/** Store a net under its hash (idempotent): in `netDir` when given, else in Redis. Returns the hash. */
export async function storeNet(redis: Redis, blob: WeightBlob, netDir?: string): Promise<string> {
  const bytes = encodeNet(blob);
  const hash = netHash(bytes);
  if (netDir) {
    const file = join(netDir, `${hash}.net`);
    if (!existsSync(file)) writeFileAtomic(file, bytes);
  } else {
    await redis.cmd('SET', netKey(hash), bytes, 'EX', NET_TTL_S);
  }
  return hash;
}

export async function setLatest(redis: Redis, runId: string, ref: NetRef): Promise<void> {
  const p: NetPointer = { v: PROTOCOL_VERSION, runId, hash: ref.hash, generation: ref.generation };
  await redis.cmd('SET', latestKey(runId), JSON.stringify(p));
}

export async function getLatest(redis: Redis, runId: string): Promise<NetPointer | null> {
  const v = await redis.cmd('GET', latestKey(runId));
  if (v === null) return null;
  return parseNetPointer(parseJson(String(v), 'net pointer'));
}

/**
 * Fetch a net by hash and check it: from `netDir` when given and the file is there, else from
 * Redis (SchemaError when missing or when the bytes do not match).
 */
export async function fetchNet(redis: Redis, hash: string, netDir?: string): Promise<WeightBlob> {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new SchemaError('net', `bad hash '${hash.slice(0, 70)}'`);
  const file = netDir ? join(netDir, `${hash}.net`) : null;
  if (file && existsSync(file)) return decodeNet(readFileSync(file), hash);
  const v = await redis.cmdBuffer('GET', netKey(hash));
  if (v === null) throw new SchemaError(`net ${hash.slice(0, 12)}`, `not found in ${file ? `${file} nor in ` : ''}Redis (expired, never published, or published to a shared directory this worker does not see: --net-dir)`);
  if (!Buffer.isBuffer(v)) throw new SchemaError(`net ${hash.slice(0, 12)}`, 'stored value is not bytes');
  return decodeNet(v, hash);
}
