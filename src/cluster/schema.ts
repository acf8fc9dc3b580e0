/**
 * Everything that crosses Redis, as versioned JSON (plus raw float32 weights, see nets.ts), and
 * the validators that read it back. A message of another version or shape is rejected with a
 * reason naming the field; nothing read from Redis is ever evaluated as code.
 *
 * Keys (all under KEY_PREFIX, one cluster per Redis database):
 *   tengen:bull:selfplay:*        the BullMQ queue of jobs: self-play games, and evaluation (gating) matches
 *   tengen:net:<sha256>           a published net (nets.ts), named by the hash of its bytes
 *   tengen:run:<runId>:latest     NetPointer: the newest net of a run
 *   tengen:events                 stream of the trainer's pipeline events (EventEnvelope JSON)
 *   tengen:workers                hash: worker id -> Heartbeat JSON
 */
import type { MatchGame } from '../players/match.ts';
import type { NetPlayerOptions } from '../players/net.ts';
import type { NetSpec } from '../agents/alphazero/net.ts';
import { SELF_PLAY_FIELDS, type PlayedGame, type Position, type SelfPlaySettings } from '../agents/alphazero/selfplay.ts';

/** Bump when any message below changes shape; peers of another version are refused. */
export const PROTOCOL_VERSION = 1;
export const KEY_PREFIX = 'tengen';
export const BULL_PREFIX = `${KEY_PREFIX}:bull`;
export const QUEUE_NAME = 'selfplay';
export const EVENTS_KEY = `${KEY_PREFIX}:events`;
export const WORKERS_KEY = `${KEY_PREFIX}:workers`;
export const netKey = (hash: string): string => `${KEY_PREFIX}:net:${hash}`;
export const latestKey = (runId: string): string => `${KEY_PREFIX}:run:${runId}:latest`;

export class SchemaError extends Error {
  constructor(what: string, reason: string) {
    super(`rejected ${what}: ${reason}`);
    this.name = 'SchemaError';
  }
}

export interface NetRef {
  /** sha256 (hex) of the net's bytes. */
  hash: string;
  /** The generation whose self-play uses this net (the net's version). */
  generation: number;
}

export interface NetPointer extends NetRef {
  v: number;
  runId: string;
}

export interface SelfPlayJob {
  v: number;
  kind: 'selfplay';
  runId: string;
  game: string;
  gameParams: Record<string, unknown>;
  spec: NetSpec;
  settings: SelfPlaySettings;
  runSeed: number;
  generation: number;
  indices: number[];
  concurrency: number;
  net: NetRef;
}

/** Play games `indices` of an evaluation match: net A (the candidate) against net B (the best). */
export interface MatchJob {
  v: number;
  kind: 'match';
  runId: string;
  game: string;
  gameParams: Record<string, unknown>;
  spec: NetSpec;
  agent: NetPlayerOptions;
  seed: number;
  generation: number;
  indices: number[];
  concurrency: number;
  a: NetRef;
  b: NetRef;
}

export interface MatchJobResult {
  v: number;
  kind: 'match-result';
  worker: { id: string; host: string };
  games: MatchGame[];
  seconds: number;
}

export interface WireGame extends Omit<PlayedGame, 'positions'> {
  /** Stable id: `${runId}/${generation}/${gameIndex}` (a retried job yields the same ids). */
  id: string;
  positions: { obs: string; pi: string; player: 0 | 1; q: number }[];
}

export interface JobResult {
  v: number;
  kind: 'selfplay-result';
  worker: { id: string; host: string };
  /** The net that played these games (the worker loads the newest before each job). */
  net: NetRef;
  games: WireGame[];
  evals: number;
  batches: number;
  seconds: number;
}

export interface Heartbeat {
  v: number;
  id: string;
  host: string;
  pid: number;
  state: 'idle' | 'playing' | 'stopping';
  games: number;
  gamesPerMin: number;
  net: NetRef | null;
  concurrency: number;
  threads: number;
  /** ms since the epoch. */
  lastSeen: number;
}

export interface EventEnvelope {
  v: number;
  name: string;
  payload: unknown;
}

// ---------- validation helpers ----------

type Obj = Record<string, unknown>;

function obj(x: unknown, what: string, field: string): Obj {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new SchemaError(what, `${field} is not an object`);
  return x as Obj;
}

function num(o: Obj, k: string, what: string, opts: { int?: boolean; min?: number; max?: number } = {}): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SchemaError(what, `${k} must be a finite number, got ${JSON.stringify(v)}`);
  if (opts.int && !Number.isInteger(v)) throw new SchemaError(what, `${k} must be an integer, got ${v}`);
  if (opts.min !== undefined && v < opts.min) throw new SchemaError(what, `${k} must be >= ${opts.min}, got ${v}`);
  if (opts.max !== undefined && v > opts.max) throw new SchemaError(what, `${k} must be <= ${opts.max}, got ${v}`);
  return v;
}

function str(o: Obj, k: string, what: string, re?: RegExp): string {
  const v = o[k];
  if (typeof v !== 'string') throw new SchemaError(what, `${k} must be a string`);
  if (re && !re.test(v)) throw new SchemaError(what, `${k} '${v.slice(0, 80)}' does not match ${re}`);
  return v;
}

function version(o: Obj, what: string, kind?: string): void {
  if (o['v'] !== PROTOCOL_VERSION) throw new SchemaError(what, `protocol version ${JSON.stringify(o['v'])}, this tengen speaks version ${PROTOCOL_VERSION} (upgrade the older side)`);
  if (kind !== undefined && o['kind'] !== kind) throw new SchemaError(what, `kind ${JSON.stringify(o['kind'])}, expected '${kind}'`);
}

const HASH_RE = /^[0-9a-f]{64}$/;
const ID_RE = /^[A-Za-z0-9._-]{1,128}$/;

function netRef(x: unknown, what: string): NetRef {
  const o = obj(x, what, 'net');
  return { hash: str(o, 'hash', what, HASH_RE), generation: num(o, 'generation', what, { int: true, min: 0 }) };
}

function settings(x: unknown, what: string): SelfPlaySettings {
  const o = obj(x, what, 'settings');
  const s: Obj = {};
  for (const k of SELF_PLAY_FIELDS) {
    // Playout-cap randomisation's two fields may be absent (every move searched in full).
    if ((k === 'fastSimulations' || k === 'fullSearchFraction') && o[k] === undefined) continue;
    if (k === 'reuseTree') {
      if (typeof o[k] !== 'boolean') throw new SchemaError(what, 'settings.reuseTree must be a boolean');
      s[k] = o[k];
    } else {
      s[k] = num(o, k, what, { min: 0, ...(k === 'fastSimulations' ? { int: true } : {}), ...(k === 'fullSearchFraction' ? { max: 1 } : {}) });
    }
  }
  s['resignThreshold'] = o['resignThreshold'] === null ? null : num(o, 'resignThreshold', what);
  return s as unknown as SelfPlaySettings;
}

function spec(x: unknown, what: string): NetSpec {
  const o = obj(x, what, 'spec');
  const arch = o['arch'];
  if (arch !== 'resnet' && arch !== 'mlp') throw new SchemaError(what, `spec.arch must be 'resnet' or 'mlp', got ${JSON.stringify(arch)}`);
  const shape = o['inputShape'];
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) throw new SchemaError(what, 'spec.inputShape must be three positive integers');
  return { arch, blocks: num(o, 'blocks', what, { int: true, min: 0 }), filters: num(o, 'filters', what, { int: true, min: 1 }), inputShape: shape as [number, number, number], numActions: num(o, 'numActions', what, { int: true, min: 1 }) };
}

/** Read a job's data as a SelfPlayJob (SchemaError says what is wrong). */
export function parseJob(x: unknown): SelfPlayJob {
  const what = 'self-play job';
  const o = obj(x, what, 'job data');
  version(o, what, 'selfplay');
  const indices = indexList(o['indices'], what);
  const gp = obj(o['gameParams'], what, 'gameParams');
  return {
    v: PROTOCOL_VERSION, kind: 'selfplay', runId: str(o, 'runId', what, ID_RE), game: str(o, 'game', what, /^[a-z0-9_-]{1,40}$/), gameParams: gp, spec: spec(o['spec'], what),
    settings: settings(o['settings'], what), runSeed: num(o, 'runSeed', what, { int: true }), generation: num(o, 'generation', what, { int: true, min: 1 }), indices,
    concurrency: num(o, 'concurrency', what, { int: true, min: 1 }), net: netRef(o['net'], what),
  };
}

const AGENT_NUM: (keyof NetPlayerOptions)[] = ['simulations', 'cPuct', 'mctsBatchSize', 'virtualLoss', 'temperatureMoves'];

function indexList(x: unknown, what: string): number[] {
  if (!Array.isArray(x) || x.length === 0 || x.length > 100_000 || !x.every((i) => Number.isInteger(i) && i >= 0)) throw new SchemaError(what, 'indices must be a non-empty array of game indices');
  return x as number[];
}

/** Read a job's data as a self-play job or an evaluation match job (SchemaError says what is wrong). */
export function parseAnyJob(x: unknown): SelfPlayJob | MatchJob {
  const o = obj(x, 'job', 'job data');
  return o['kind'] === 'match' ? parseMatchJob(o) : parseJob(o);
}

export function parseMatchJob(x: unknown): MatchJob {
  const what = 'match job';
  const o = obj(x, what, 'job data');
  version(o, what, 'match');
  const ag = obj(o['agent'], what, 'agent');
  const agent = {} as NetPlayerOptions;
  for (const k of AGENT_NUM) agent[k] = num(ag, k, what, { min: 0 });
  return {
    v: PROTOCOL_VERSION, kind: 'match', runId: str(o, 'runId', what, ID_RE), game: str(o, 'game', what, /^[a-z0-9_-]{1,40}$/), gameParams: obj(o['gameParams'], what, 'gameParams'),
    spec: spec(o['spec'], what), agent, seed: num(o, 'seed', what, { int: true }), generation: num(o, 'generation', what, { int: true, min: 1 }),
    indices: indexList(o['indices'], what), concurrency: num(o, 'concurrency', what, { int: true, min: 1 }), a: netRef(o['a'], what), b: netRef(o['b'], what),
  };
}

/** Check a match result against the job it answers: exactly the games asked for, each a legal-looking record. */
export function parseMatchResult(x: unknown, job: MatchJob, numActions: number): MatchJobResult {
  const what = 'match result';
  const o = obj(x, what, 'result');
  version(o, what, 'match-result');
  const w = obj(o['worker'], what, 'worker');
  const gs = o['games'];
  if (!Array.isArray(gs)) throw new SchemaError(what, 'games must be an array');
  const games: MatchGame[] = gs.map((gx, k) => {
    const g = obj(gx, what, `games[${k}]`);
    const index = num(g, 'index', what, { int: true, min: 0 });
    const aPlayer = g['aPlayer'];
    if (aPlayer !== index % 2) throw new SchemaError(what, `game ${index}: aPlayer must be ${index % 2} (A plays first in even games)`);
    const aReturn = num(g, 'aReturn', what);
    if (aReturn < -1 || aReturn > 1) throw new SchemaError(what, `game ${index}: aReturn ${aReturn} is outside [-1, 1]`);
    const moves = g['moves'];
    if (!Array.isArray(moves) || !moves.every((m) => Number.isInteger(m) && m >= 0 && m < numActions)) throw new SchemaError(what, `game ${index}: moves must be action numbers`);
    return { index, aPlayer: aPlayer as 0 | 1, aReturn, moves: moves as number[] };
  });
  const got = games.map((g) => g.index).sort((p, q) => p - q);
  const want = [...job.indices].sort((p, q) => p - q);
  if (got.length !== want.length || got.some((i, k) => i !== want[k])) throw new SchemaError(what, `games ${got.join(',')} do not match the job's ${want.join(',')}`);
  return { v: PROTOCOL_VERSION, kind: 'match-result', worker: { id: str(w, 'id', what, ID_RE), host: str(w, 'host', what) }, games, seconds: num(o, 'seconds', what, { min: 0 }) };
}

export function parseNetPointer(x: unknown): NetPointer {
  const what = 'net pointer';
  const o = obj(x, what, 'pointer');
  version(o, what);
  return { v: PROTOCOL_VERSION, runId: str(o, 'runId', what, ID_RE), ...netRef(o, what) };
}

// ---------- games on the wire ----------

function f32ToB64(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function b64ToF32(s: string, n: number, what: string, field: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  if (b.length !== n * 4) throw new SchemaError(what, `${field} holds ${b.length / 4} floats, expected ${n}`);
  const out = new Float32Array(n);
  new Uint8Array(out.buffer).set(b);
  for (let i = 0; i < n; i++) if (!Number.isFinite(out[i]!)) throw new SchemaError(what, `${field} holds a non-finite value`);
  return out;
}

export function gameId(runId: string, generation: number, gameIndex: number): string {
  return `${runId}/${generation}/${gameIndex}`;
}

export function encodeGame(runId: string, g: PlayedGame): WireGame {
  return { ...g, id: gameId(runId, g.generation, g.gameIndex), positions: g.positions.map((p) => ({ obs: f32ToB64(p.obs), pi: f32ToB64(p.pi), player: p.player as 0 | 1, q: p.q })) };
}

/** Check a result against the job it answers and decode its games. */
export function parseResult(x: unknown, job: SelfPlayJob, obsSize: number, numActions: number): { result: Omit<JobResult, 'games'>; games: PlayedGame[] } {
  const what = 'self-play result';
  const o = obj(x, what, 'result');
  version(o, what, 'selfplay-result');
  const w = obj(o['worker'], what, 'worker');
  const worker = { id: str(w, 'id', what, ID_RE), host: str(w, 'host', what) };
  const net = netRef(o['net'], what);
  const gs = o['games'];
  if (!Array.isArray(gs)) throw new SchemaError(what, 'games must be an array');
  const want = new Set(job.indices);
  const games: PlayedGame[] = gs.map((gx, k) => {
    const g = obj(gx, what, `games[${k}]`);
    const gameIndex = num(g, 'gameIndex', what, { int: true, min: 0 });
    if (!want.has(gameIndex)) throw new SchemaError(what, `game ${gameIndex} was not asked for by this job`);
    if (g['generation'] !== job.generation) throw new SchemaError(what, `game ${gameIndex} is of generation ${JSON.stringify(g['generation'])}, the job's is ${job.generation}`);
    if (g['id'] !== gameId(job.runId, job.generation, gameIndex)) throw new SchemaError(what, `game ${gameIndex} has id ${JSON.stringify(g['id'])}`);
    const moves = g['moves'];
    const moveStrings = g['moveStrings'];
    const returns = g['returns'];
    const minValue = g['minValue'];
    if (!Array.isArray(moves) || !moves.every((m) => Number.isInteger(m) && m >= 0 && m < numActions)) throw new SchemaError(what, `game ${gameIndex}: moves must be action numbers`);
    if (!Array.isArray(moveStrings) || moveStrings.length !== moves.length || !moveStrings.every((m) => typeof m === 'string')) throw new SchemaError(what, `game ${gameIndex}: moveStrings must match moves`);
    const pair = (v: unknown, f: string): [number, number] => {
      if (!Array.isArray(v) || v.length !== 2 || !v.every((n) => typeof n === 'number' && Number.isFinite(n))) throw new SchemaError(what, `game ${gameIndex}: ${f} must be two numbers`);
      return [v[0] as number, v[1] as number];
    };
    const ps = g['positions'];
    if (!Array.isArray(ps)) throw new SchemaError(what, `game ${gameIndex}: positions must be an array`);
    const positions: Position[] = ps.map((px, i) => {
      const p = obj(px, what, `positions[${i}]`);
      const player = p['player'];
      if (player !== 0 && player !== 1) throw new SchemaError(what, `game ${gameIndex}: position ${i} player must be 0 or 1`);
      const q = num(p, 'q', what, { min: -1, max: 1 });
      return { obs: b64ToF32(str(p, 'obs', what), obsSize, what, `game ${gameIndex} position ${i} obs`), pi: b64ToF32(str(p, 'pi', what), numActions, what, `game ${gameIndex} position ${i} pi`), player, q };
    });
    if (typeof g['resigned'] !== 'boolean' || typeof g['resignDisabled'] !== 'boolean') throw new SchemaError(what, `game ${gameIndex}: resigned/resignDisabled must be booleans`);
    return {
      generation: job.generation, gameIndex, moves: moves as number[], moveStrings: moveStrings as string[], positions, returns: pair(returns, 'returns'),
      resigned: g['resigned'], resignDisabled: g['resignDisabled'], minValue: pair(minValue, 'minValue'), final: str(g, 'final', what),
    };
  });
  return {
    result: { v: PROTOCOL_VERSION, kind: 'selfplay-result', worker, net, evals: num(o, 'evals', what, { min: 0 }), batches: num(o, 'batches', what, { min: 0 }), seconds: num(o, 'seconds', what, { min: 0 }) },
    games,
  };
}

export function parseHeartbeat(x: unknown): Heartbeat {
  const what = 'worker heartbeat';
  const o = obj(x, what, 'heartbeat');
  version(o, what);
  const state = o['state'];
  if (state !== 'idle' && state !== 'playing' && state !== 'stopping') throw new SchemaError(what, `state ${JSON.stringify(state)}`);
  return {
    v: PROTOCOL_VERSION, id: str(o, 'id', what, ID_RE), host: str(o, 'host', what), pid: num(o, 'pid', what, { int: true }), state, games: num(o, 'games', what, { int: true, min: 0 }),
    gamesPerMin: num(o, 'gamesPerMin', what, { min: 0 }), net: o['net'] === null ? null : netRef(o['net'], what), concurrency: num(o, 'concurrency', what, { int: true, min: 1 }),
    threads: num(o, 'threads', what, { int: true, min: 0 }), lastSeen: num(o, 'lastSeen', what),
  };
}

export function parseEnvelope(x: unknown, known: readonly string[]): EventEnvelope {
  const what = 'event';
  const o = obj(x, what, 'event');
  version(o, what);
  const name = str(o, 'name', what);
  if (!known.includes(name)) throw new SchemaError(what, `unknown event '${name.slice(0, 40)}'`);
  obj(o['payload'], what, 'payload');
  return { v: PROTOCOL_VERSION, name, payload: o['payload'] };
}

/** JSON.parse with a SchemaError instead of a SyntaxError. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SchemaError(what, `not valid JSON (${(e as Error).message})`);
  }
}
