/**
 * Replay buffer: a sliding window over the most recent self-play positions, each stored as
 * (observation, pi, z) in flat typed arrays (a ring: the oldest positions drop out first).
 *
 * Sampling is uniform with a seeded Rng. With augmentation on, each sampled position is shown
 * through a random symmetry of the board: the observation is mapped by Symmetry.mapObservation
 * and the target distribution by the same symmetry's action map, pi'[mapAction(a)] = pi[a], so the
 * target stays the search's answer for the transformed position.
 *
 * The buffer is saved to disk as one binary file (written atomically) so that a restart loses
 * nothing: a JSON header, then the filled part of the arrays in ring order.
 */
import { readFileSync } from 'node:fs';
import type { Symmetry } from '../../env/games/game.ts';
import type { Rng } from '../../util/rng.ts';
import { writeFileAtomic } from '../../util/fs.ts';

export interface Sample {
  obs: Float32Array;
  pi: Float32Array;
  z: Float32Array;
  n: number;
}

const MAGIC = 'TENGEN-REPLAY-1';

export class ReplayBuffer {
  readonly capacity: number;
  readonly obsSize: number;
  readonly numActions: number;
  private obs: Float32Array;
  private pi: Float32Array;
  private z: Float32Array;
  /** Next write slot. */
  private head = 0;
  /** Positions held (<= capacity). */
  private count = 0;
  /** Positions ever added. */
  totalAdded = 0;
  /** Games ever added. */
  gamesAdded = 0;

  constructor(capacity: number, obsSize: number, numActions: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`ReplayBuffer: capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.obsSize = obsSize;
    this.numActions = numActions;
    this.obs = new Float32Array(capacity * obsSize);
    this.pi = new Float32Array(capacity * numActions);
    this.z = new Float32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Add one position. `obs` is from the point of view of the player to move; z is that player's outcome. */
  add(obs: Float32Array, pi: Float32Array, z: number): void {
    if (obs.length !== this.obsSize) throw new Error(`ReplayBuffer.add: observation length ${obs.length}, expected ${this.obsSize}`);
    if (pi.length !== this.numActions) throw new Error(`ReplayBuffer.add: pi length ${pi.length}, expected ${this.numActions}`);
    const i = this.head;
    this.obs.set(obs, i * this.obsSize);
    this.pi.set(pi, i * this.numActions);
    this.z[i] = z;
    this.head = (i + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    this.totalAdded++;
  }

  /** Add a finished game's positions, in order. */
  addGame(positions: { obs: Float32Array; pi: Float32Array; z: number }[]): void {
    for (const p of positions) this.add(p.obs, p.pi, p.z);
    this.gamesAdded++;
  }

  /** The i-th held position, oldest first (copies). */
  get(i: number): { obs: Float32Array; pi: Float32Array; z: number } {
    if (!(i >= 0 && i < this.count)) throw new RangeError(`ReplayBuffer.get: index ${i} outside [0, ${this.count})`);
    const slot = this.slot(i);
    return {
      obs: this.obs.slice(slot * this.obsSize, (slot + 1) * this.obsSize),
      pi: this.pi.slice(slot * this.numActions, (slot + 1) * this.numActions),
      z: this.z[slot]!,
    };
  }

  private slot(i: number): number {
    return this.count < this.capacity ? i : (this.head + i) % this.capacity;
  }

  /**
   * Draw `n` positions uniformly (with replacement) into flat arrays. When `symmetries` has more
   * than the identity, each sample goes through one of them chosen at random.
   */
  sample(n: number, rng: Rng, symmetries?: readonly Symmetry[]): Sample {
    if (this.count === 0) throw new Error('ReplayBuffer.sample: the buffer is empty');
    const O = this.obsSize;
    const A = this.numActions;
    const out: Sample = { obs: new Float32Array(n * O), pi: new Float32Array(n * A), z: new Float32Array(n), n };
    const syms = symmetries && symmetries.length > 1 ? symmetries : null;
    for (let k = 0; k < n; k++) {
      const slot = this.slot(rng.int(this.count));
      const o = this.obs.subarray(slot * O, (slot + 1) * O);
      const p = this.pi.subarray(slot * A, (slot + 1) * A);
      out.z[k] = this.z[slot]!;
      const s = syms ? syms[rng.int(syms.length)]! : null;
      if (s === null || s.name === 'identity') {
        out.obs.set(o, k * O);
        out.pi.set(p, k * A);
      } else {
        out.obs.set(s.mapObservation(o), k * O);
        const base = k * A;
        for (let a = 0; a < A; a++) out.pi[base + s.mapAction(a)] = p[a]!;
      }
    }
    return out;
  }

  /** Serialise to bytes: header line (JSON) + obs + pi + z of the held positions, oldest first. */
  toBytes(): Uint8Array {
    const header = JSON.stringify({
      magic: MAGIC, capacity: this.capacity, obsSize: this.obsSize, numActions: this.numActions,
      count: this.count, totalAdded: this.totalAdded, gamesAdded: this.gamesAdded,
    });
    const hb = Buffer.from(header + '\n', 'utf8');
    const n = this.count;
    const body = new Float32Array(n * (this.obsSize + this.numActions + 1));
    let off = 0;
    for (let i = 0; i < n; i++) {
      const s = this.slot(i);
      body.set(this.obs.subarray(s * this.obsSize, (s + 1) * this.obsSize), off);
      off += this.obsSize;
    }
    for (let i = 0; i < n; i++) {
      const s = this.slot(i);
      body.set(this.pi.subarray(s * this.numActions, (s + 1) * this.numActions), off);
      off += this.numActions;
    }
    for (let i = 0; i < n; i++) body[off++] = this.z[this.slot(i)]!;
    // Pad the header so the float block starts 4-byte aligned.
    const pad = (4 - (hb.length % 4)) % 4;
    const out = new Uint8Array(4 + hb.length + pad + body.byteLength);
    new DataView(out.buffer).setUint32(0, hb.length + pad, true);
    out.set(hb, 4);
    out.fill(0x20, 4 + hb.length, 4 + hb.length + pad);
    out.set(new Uint8Array(body.buffer), 4 + hb.length + pad);
    return out;
  }

  save(path: string): void {
    writeFileAtomic(path, this.toBytes());
  }

  /** Rebuild from toBytes(); `capacity` may differ (a larger window keeps all, a smaller keeps the newest). */
  static fromBytes(bytes: Uint8Array, capacity?: number): ReplayBuffer {
    const what = 'replay buffer file';
    if (bytes.length < 8) throw new Error(`${what} is truncated (${bytes.length} bytes)`);
    const hlen = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
    if (4 + hlen > bytes.length) throw new Error(`${what} is truncated (header)`);
    let h: { magic: string; capacity: number; obsSize: number; numActions: number; count: number; totalAdded: number; gamesAdded: number };
    try {
      h = JSON.parse(Buffer.from(bytes.subarray(4, 4 + hlen)).toString('utf8')) as typeof h;
    } catch {
      throw new Error(`${what} has a corrupt header`);
    }
    if (h.magic !== MAGIC) throw new Error(`${what}: not a tengen replay buffer (magic ${JSON.stringify(h.magic)})`);
    const n = h.count;
    const floats = n * (h.obsSize + h.numActions + 1);
    if (bytes.length !== 4 + hlen + floats * 4) throw new Error(`${what} is truncated: expected ${4 + hlen + floats * 4} bytes, found ${bytes.length}`);
    const body = new Float32Array(bytes.slice(4 + hlen).buffer);
    const buf = new ReplayBuffer(capacity ?? h.capacity, h.obsSize, h.numActions);
    const start = Math.max(0, n - buf.capacity);
    const piOff = n * h.obsSize;
    const zOff = piOff + n * h.numActions;
    for (let i = start; i < n; i++) {
      buf.add(body.subarray(i * h.obsSize, (i + 1) * h.obsSize), body.subarray(piOff + i * h.numActions, piOff + (i + 1) * h.numActions), body[zOff + i]!);
    }
    buf.totalAdded = h.totalAdded;
    buf.gamesAdded = h.gamesAdded;
    return buf;
  }

  static load(path: string, capacity?: number): ReplayBuffer {
    return ReplayBuffer.fromBytes(new Uint8Array(readFileSync(path)), capacity);
  }
}
