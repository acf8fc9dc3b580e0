/**
 * DQN's experience replay: a ring of `capacity` transitions (s, a, r, s', done) in typed arrays,
 * sampled uniformly. (AlphaZero's replay buffer of self-play positions is alphazero/replay-buffer.ts.)
 * `nextObs` holds the observation the transition led to: for the last step of an episode that is
 * the final observation, not the reset one. `dones` is `terminated` only: a time-limit
 * truncation still bootstraps (Stable-Baselines3's handle_timeout_termination).
 */
import type { Rng } from '../../util/rng.ts';
import type { NumArray } from '../common/checkpoint.ts';

export interface TransitionBatch {
  obs: Float32Array;
  nextObs: Float32Array;
  actions: Int32Array;
  rewards: Float32Array;
  dones: Float32Array;
}

export class TransitionBuffer {
  readonly capacity: number;
  readonly obsDim: number;
  readonly obs: Float32Array;
  readonly nextObs: Float32Array;
  readonly actions: Int32Array;
  readonly rewards: Float32Array;
  readonly dones: Uint8Array;
  pos = 0;
  full = false;

  constructor(capacity: number, obsDim: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`TransitionBuffer: capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.obsDim = obsDim;
    this.obs = new Float32Array(capacity * obsDim);
    this.nextObs = new Float32Array(capacity * obsDim);
    this.actions = new Int32Array(capacity);
    this.rewards = new Float32Array(capacity);
    this.dones = new Uint8Array(capacity);
  }

  get size(): number {
    return this.full ? this.capacity : this.pos;
  }

  add(obs: Float32Array, obsOffset: number, action: number, reward: number, nextObs: Float32Array, nextOffset: number, done: boolean): void {
    const d = this.obsDim;
    const i = this.pos;
    this.obs.set(obs.subarray(obsOffset, obsOffset + d), i * d);
    this.nextObs.set(nextObs.subarray(nextOffset, nextOffset + d), i * d);
    this.actions[i] = action;
    this.rewards[i] = reward;
    this.dones[i] = done ? 1 : 0;
    this.pos = (i + 1) % this.capacity;
    if (this.pos === 0) this.full = true;
  }

  /** A uniform minibatch (with replacement); written into `into` when given (it must hold batchSize rows). */
  sample(batchSize: number, rng: Rng, into?: TransitionBatch): TransitionBatch {
    const n = this.size;
    if (n === 0) throw new Error('TransitionBuffer: cannot sample from an empty buffer');
    const d = this.obsDim;
    if (into && into.rewards.length !== batchSize) throw new Error(`TransitionBuffer: the batch to fill holds ${into.rewards.length} rows, not ${batchSize}`);
    const b: TransitionBatch = into ?? {
      obs: new Float32Array(batchSize * d),
      nextObs: new Float32Array(batchSize * d),
      actions: new Int32Array(batchSize),
      rewards: new Float32Array(batchSize),
      dones: new Float32Array(batchSize),
    };
    for (let k = 0; k < batchSize; k++) {
      const i = rng.int(n);
      for (let j = 0; j < d; j++) {
        b.obs[k * d + j] = this.obs[i * d + j]!;
        b.nextObs[k * d + j] = this.nextObs[i * d + j]!;
      }
      b.actions[k] = this.actions[i]!;
      b.rewards[k] = this.rewards[i]!;
      b.dones[k] = this.dones[i]!;
    }
    return b;
  }

  /** Arrays for a checkpoint (only the filled part). */
  toArrays(): Record<string, NumArray> {
    const n = this.size;
    const d = this.obsDim;
    return {
      'replay/obs': this.obs.subarray(0, n * d),
      'replay/nextObs': this.nextObs.subarray(0, n * d),
      'replay/actions': this.actions.subarray(0, n),
      'replay/rewards': this.rewards.subarray(0, n),
      'replay/dones': this.dones.subarray(0, n),
    };
  }

  fromArrays(a: Map<string, NumArray>, pos: number, full: boolean): void {
    const get = (k: string): NumArray => {
      const v = a.get(k);
      if (!v) throw new Error(`checkpoint is missing ${k}`);
      return v;
    };
    const n = get('replay/actions').length;
    if (n > this.capacity || (full && n !== this.capacity)) throw new Error(`checkpoint replay buffer holds ${n} transitions, capacity is ${this.capacity}`);
    this.obs.set(get('replay/obs'));
    this.nextObs.set(get('replay/nextObs'));
    this.actions.set(get('replay/actions'));
    this.rewards.set(get('replay/rewards'));
    this.dones.set(get('replay/dones'));
    this.pos = pos;
    this.full = full;
  }
}
