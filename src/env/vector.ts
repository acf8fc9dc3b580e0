/**
 * A synchronous vector env, after Gymnasium 1.x SyncVectorEnv: n copies stepped in lock-step,
 * results batched into typed arrays. reset({seed}) seeds sub-env i with seed + i. Autoreset is
 * Gymnasium 1.x's default NEXT_STEP mode: the step that ends an episode returns its final
 * observation; the NEXT step() call ignores that env's action, resets it and returns the reset
 * observation with reward 0 and terminated = truncated = false (info is the reset info).
 *
 * autoresetMode 'same-step' instead resets within the step that ended the episode: it returns the
 * reset observation, the episode's reward and flags, and the final observation and info in
 * info.final_obs / info.final_info. 'disabled' never resets; stepping an ended env is then an error
 * (call resetEnvs with a mask, or reset()).
 *
 * Observations: Box spaces batch into one flat Float32Array/Float64Array of n * size values
 * (row i = env i), Discrete into an Int32Array, anything else into an array of n observations.
 */
import type { Env, Info, ResetOptions } from './core.ts';
import { make, type MakeOptions } from './registry.ts';
import { Box, Discrete, type Space } from './spaces.ts';

export type BatchedObs = Float32Array | Float64Array | Int32Array | unknown[];

export interface VectorStepResult<O extends BatchedObs = BatchedObs> {
  observations: O;
  rewards: Float64Array;
  terminations: Uint8Array;
  truncations: Uint8Array;
  infos: Info[];
}

export type AutoresetMode = 'next-step' | 'same-step' | 'disabled';

export class SyncVectorEnv<Act = unknown, O extends BatchedObs = BatchedObs> {
  readonly numEnvs: number;
  readonly envs: Env<unknown, Act>[];
  readonly singleObservationSpace: Space<unknown>;
  readonly singleActionSpace: Space<Act>;
  /** Values per observation in the flat batch (Box size; 1 for Discrete). */
  readonly obsSize: number;
  private readonly autoreset: Uint8Array;
  private hasReset = false;

  constructor(
    envFns: (() => Env<unknown, Act>)[],
    readonly autoresetMode: AutoresetMode = 'next-step',
  ) {
    if (envFns.length === 0) throw new Error('SyncVectorEnv: needs at least one env');
    if (!['next-step', 'same-step', 'disabled'].includes(autoresetMode)) throw new Error(`SyncVectorEnv: autoresetMode must be 'next-step', 'same-step' or 'disabled', got ${String(autoresetMode)}`);
    this.envs = envFns.map((f) => f());
    this.numEnvs = this.envs.length;
    this.singleObservationSpace = this.envs[0]!.observationSpace;
    this.singleActionSpace = this.envs[0]!.actionSpace;
    const s = this.singleObservationSpace;
    this.obsSize = s instanceof Box ? s.size : 1;
    this.autoreset = new Uint8Array(this.numEnvs);
  }

  private newBatch(): O {
    const s = this.singleObservationSpace;
    const n = this.numEnvs;
    if (s instanceof Box) return (s.dtype === 'float32' ? new Float32Array(n * s.size) : new Float64Array(n * s.size)) as O;
    if (s instanceof Discrete) return new Int32Array(n) as O;
    return new Array(n) as O;
  }

  private put(batch: O, i: number, obs: unknown): void {
    if (Array.isArray(batch)) batch[i] = obs;
    else if (this.obsSize === 1 && typeof obs === 'number') batch[i] = obs;
    else (batch as Float32Array).set(obs as ArrayLike<number>, i * this.obsSize);
  }

  /** Reset every env; with a seed, env i gets seed + i. */
  reset(opts: { seed?: number; options?: Record<string, unknown> } = {}): { observations: O; infos: Info[] } {
    const obs = this.newBatch();
    const infos: Info[] = [];
    for (let i = 0; i < this.numEnvs; i++) {
      const o: ResetOptions = { options: opts.options };
      if (opts.seed !== undefined) o.seed = opts.seed + i;
      const r = this.envs[i]!.reset(o);
      this.put(obs, i, r.observation);
      infos.push(r.info);
    }
    this.autoreset.fill(0);
    this.hasReset = true;
    return { observations: obs, infos };
  }

  /** Step every env with its action (actions[i] for env i). */
  step(actions: ArrayLike<Act> | Act[]): VectorStepResult<O> {
    if (!this.hasReset) throw new Error('SyncVectorEnv: call reset() before step()');
    if (actions.length !== this.numEnvs) throw new Error(`SyncVectorEnv: expected ${this.numEnvs} actions, got ${actions.length}`);
    const n = this.numEnvs;
    const obs = this.newBatch();
    const rewards = new Float64Array(n);
    const terminations = new Uint8Array(n);
    const truncations = new Uint8Array(n);
    const infos: Info[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const env = this.envs[i]!;
      if (this.autoreset[i] && this.autoresetMode === 'next-step') {
        const r = env.reset();
        this.put(obs, i, r.observation);
        infos[i] = r.info;
        this.autoreset[i] = 0;
        continue;
      }
      const r = env.step(actions[i]!);
      rewards[i] = r.reward;
      terminations[i] = r.terminated ? 1 : 0;
      truncations[i] = r.truncated ? 1 : 0;
      const ended = r.terminated || r.truncated;
      if (ended && this.autoresetMode === 'same-step') {
        const rr = env.reset();
        this.put(obs, i, rr.observation);
        infos[i] = { ...rr.info, final_obs: r.observation, final_info: r.info };
      } else {
        this.put(obs, i, r.observation);
        infos[i] = r.info;
        this.autoreset[i] = ended ? 1 : 0;
      }
    }
    return { observations: obs, rewards, terminations, truncations, infos };
  }

  /** Reset the envs where mask[i] is set (for autoresetMode 'disabled'); returns the batch with those rows replaced by reset observations. */
  resetEnvs(mask: ArrayLike<number | boolean>, prev: O): { observations: O; infos: (Info | null)[] } {
    if (mask.length !== this.numEnvs) throw new Error(`SyncVectorEnv: expected a mask of ${this.numEnvs}, got ${mask.length}`);
    const infos: (Info | null)[] = new Array(this.numEnvs).fill(null);
    for (let i = 0; i < this.numEnvs; i++) {
      if (!mask[i]) continue;
      const r = this.envs[i]!.reset();
      this.put(prev, i, r.observation);
      infos[i] = r.info;
      this.autoreset[i] = 0;
    }
    return { observations: prev, infos };
  }

  close(): void {
    for (const e of this.envs) e.close?.();
  }
}

/** n copies of a registered env (each through make, with its wrappers), as gymnasium.make_vec(..., vectorization_mode='sync'). */
export function makeVec<Act = unknown>(id: string, numEnvs: number, opts: MakeOptions & { autoresetMode?: AutoresetMode } & Record<string, unknown> = {}): SyncVectorEnv<Act> {
  if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new Error(`makeVec: numEnvs must be a positive integer, got ${numEnvs}`);
  const { autoresetMode, ...makeOpts } = opts;
  return new SyncVectorEnv<Act>(
    Array.from({ length: numEnvs }, () => () => make<unknown, Act>(id, makeOpts)),
    autoresetMode ?? 'next-step',
  );
}
