/**
 * What REINFORCE, A2C and PPO share besides their update rule: an actor-critic policy (with its
 * optimizer), an RNG and an environment pool, the step counters, and how all of that is predicted
 * with, saved (policy weights, optimizer slots, RNG and environment state, counters) and restored,
 * so that `load` + `learn` continues exactly where an uninterrupted run would be.
 */
import { Rng, type RngState } from '../../util/rng.ts';
import { type Agent, type Callbacks, type EnvSource, makeEnvs } from './agent.ts';
import { ActorCritic, type OptimizerSpec } from './actor-critic.ts';
import { EnvPool, type EnvPoolState } from './env-pool.ts';
import type { Activation } from './mlp.ts';
import { type EngineName, resolveEngine } from './engine.ts';
import { type CheckpointMeta, type NumArray, loadCheckpoint, need, saveCheckpoint } from './checkpoint.ts';
import { check } from './agent.ts';

/** The actor-critic net's options every policy-gradient agent validates the same way. */
export function checkNetOptions(o: { activation: unknown; netArch: unknown }, algo: string): void {
  check(o.activation === 'tanh' || o.activation === 'relu', algo, `activation must be 'tanh' or 'relu', got ${String(o.activation)}`);
  check(Array.isArray(o.netArch) && o.netArch.every((h) => Number.isInteger(h) && (h as number) > 0), algo, 'netArch must be a list of positive integers');
}

/**
 * The parts every policy-gradient agent builds from its options, seeded by algorithm name: `nEnvs`
 * environments in a pool, the actor-critic (weights from RNG `<algo>-init:<seed>`, trained by the
 * engine the options name, with `optimizer`) and the agent's own RNG (`<algo>:<seed>`).
 */
export function buildActorCritic(
  env: EnvSource,
  nEnvs: number,
  algo: string,
  o: { netArch: number[]; activation: Activation; logStdInit: number; seed: number; engine: EngineName },
  optimizer: OptimizerSpec,
): { policy: ActorCritic; rng: Rng; pool: EnvPool } {
  checkNetOptions(o, algo);
  const engine = resolveEngine(o.engine, algo);
  const envs = makeEnvs(env, nEnvs, algo);
  const policy = new ActorCritic(envs[0]!.observationSpace, envs[0]!.actionSpace, o.netArch, o.activation, new Rng(`${algo}-init:${o.seed}`), o.logStdInit, algo, engine, optimizer);
  return { policy, rng: new Rng(`${algo}:${o.seed}`), pool: new EnvPool(envs, o.seed) };
}

/** Normalise adv[0..n) in place to mean 0 and (sample) standard deviation 1, as SB3 does; n < 2 is left as is. */
export function normalizeAdvantages(adv: Float32Array | Float64Array, n: number): void {
  if (n < 2) return;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += adv[i]!;
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (adv[i]! - mean) ** 2;
  const std = Math.sqrt(v / (n - 1));
  for (let i = 0; i < n; i++) adv[i] = (adv[i]! - mean) / (std + 1e-8);
}

interface PolicyGradientState {
  rng: RngState;
  pool: EnvPoolState;
  numTimesteps: number;
  numUpdates: number;
  totalTimesteps: number;
  optimizerT: number;
}

export interface AgentCheckpoint {
  meta: CheckpointMeta;
  arrays: Map<string, NumArray>;
}

/** Read a saved agent, refusing one saved by another algorithm. */
export function readAgentCheckpoint(dir: string, algo: string): AgentCheckpoint {
  const ck = loadCheckpoint(dir);
  if (ck.meta.algo !== algo) throw new Error(`${dir} holds a ${ck.meta.algo} agent, not ${algo}`);
  return ck;
}

export abstract class PolicyGradientAgent<O extends object> implements Agent {
  abstract readonly algo: string;
  abstract readonly options: O;
  abstract readonly policy: ActorCritic;
  protected abstract readonly rng: Rng;
  protected abstract readonly pool: EnvPool;
  numTimesteps = 0;
  numUpdates = 0;
  protected totalTimesteps = 0;

  abstract learn(totalTimesteps: number, callbacks?: Callbacks): Promise<this>;

  predict(obs: unknown, deterministic = true): number | number[] {
    return this.policy.predict(obs, deterministic, this.rng);
  }

  save(dir: string, extra?: Record<string, unknown>): void {
    const opt = this.policy.net.getOptimizerState();
    const state: PolicyGradientState = { rng: this.rng.getState(), pool: this.pool.getState(), numTimesteps: this.numTimesteps, numUpdates: this.numUpdates, totalTimesteps: this.totalTimesteps, optimizerT: opt.t };
    const arrays: Record<string, NumArray> = {};
    this.policy.readAll().forEach((a, i) => (arrays[`policy/${i}`] = a));
    opt.slots.forEach((a, i) => (arrays[`optim/${i}`] = a));
    saveCheckpoint(dir, { format: 'tengen-agent', version: 1, algo: this.algo, numTimesteps: this.numTimesteps, options: this.options, state, ...(extra ? { extra } : {}) }, arrays);
  }

  /** Put a saved agent's weights, optimizer slots, RNG, environments and counters into this one (built with the saved options). */
  protected restore({ meta, arrays }: AgentCheckpoint): this {
    const st = meta.state as PolicyGradientState;
    const nv = this.policy.numTensors;
    this.policy.writeAll(Array.from({ length: nv }, (_, i) => need<Float32Array>(arrays, `policy/${i}`)), `${this.algo} policy`);
    this.policy.net.setOptimizerState({ t: st.optimizerT, slots: Array.from({ length: 2 * nv }, (_, i) => need<Float32Array>(arrays, `optim/${i}`)) });
    this.rng.setState(st.rng);
    this.pool.setState(st.pool);
    this.numTimesteps = st.numTimesteps;
    this.numUpdates = st.numUpdates;
    this.totalTimesteps = st.totalTimesteps;
    return this;
  }

  dispose(): void {
    this.policy.dispose();
  }
}
