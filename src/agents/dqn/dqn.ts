/**
 * Deep Q-Network (Mnih et al. 2015), as Stable-Baselines3 / CleanRL implement it:
 * epsilon-greedy acting with a linearly decaying epsilon, uniform replay, a target network
 * updated every `targetUpdateInterval` steps (hard copy, or Polyak with tau < 1), Huber loss on the
 * TD error, Adam, gradient clipping by global norm, `trainFreq` / `gradientSteps`, and optional
 * Double DQN (van Hasselt et al. 2016: the online net picks argmax a', the target net scores it).
 * Truncated episodes bootstrap from the final observation; only `terminated` zeroes the target.
 */
import { Rng, type RngState } from '../../util/rng.ts';
import { type Agent, type Callbacks, type EnvSource, check, checkTotal, makeEnvs, resolveOptions } from '../common/agent.ts';
import { EnvPool, type EnvPoolState } from '../common/env-pool.ts';
import { type SpaceInfo, encodeObs, obsSize, spaceInfo } from '../common/env-types.ts';
import { type Schedule, checkSchedule, scheduleValue } from '../common/schedule.ts';
import { type NumArray, loadCheckpoint, need, saveCheckpoint } from '../common/checkpoint.ts';
import { initMlpWeights } from '../common/mlp.ts';
import { type EngineName, type ResolvedEngine, resolveEngine } from '../common/engine.ts';
import { maybeYield } from '../common/yield.ts';
import { type TransitionBatch, TransitionBuffer } from './transition-buffer.ts';
import { type QNet, TfQNet } from './q-net.ts';
import { OrtQNet } from './q-net-ort.ts';

export interface DQNOptions {
  /** Adam learning rate (constant or schedule). SB3 default 1e-4. */
  learningRate: Schedule;
  /** Replay capacity in transitions. */
  bufferSize: number;
  /** Steps of uniformly random actions before learning starts. */
  learningStarts: number;
  /** Minibatch size per gradient step. */
  batchSize: number;
  /** Target update coefficient: 1 = hard copy, < 1 = Polyak averaging. */
  tau: number;
  /** Discount factor. */
  gamma: number;
  /** Train every trainFreq environment steps. */
  trainFreq: number;
  /** Gradient steps per training round; -1 = as many as environment steps since the last round. */
  gradientSteps: number;
  /** Environment steps between target network updates. */
  targetUpdateInterval: number;
  /** Fraction of training over which epsilon decays from initial to final. */
  explorationFraction: number;
  explorationInitialEps: number;
  explorationFinalEps: number;
  /** Clip gradients to this global L2 norm. */
  maxGradNorm: number;
  /** Double DQN targets. */
  doubleQ: boolean;
  /** Hidden layer sizes of the Q network (ReLU). */
  netArch: number[];
  /** Seed for weights, exploration, replay sampling and environment resets. */
  seed: number;
  /** Numerics: 'onnxruntime', 'tfjs', or 'auto' (the first where it loads); see common/engine.ts. */
  engine: EngineName;
}

/** Stable-Baselines3's DQN defaults. */
export const DQN_DEFAULTS: DQNOptions = {
  learningRate: 1e-4,
  bufferSize: 1_000_000,
  learningStarts: 100,
  batchSize: 32,
  tau: 1,
  gamma: 0.99,
  trainFreq: 4,
  gradientSteps: 1,
  targetUpdateInterval: 10_000,
  explorationFraction: 0.1,
  explorationInitialEps: 1,
  explorationFinalEps: 0.05,
  maxGradNorm: 10,
  doubleQ: false,
  netArch: [64, 64],
  seed: 0,
  engine: 'auto',
};

/** RL Zoo (rl-baselines3-zoo hyperparams/dqn.yml) tuned settings, with their step budgets. */
export const DQN_ZOO: Record<string, { steps: number; options: Partial<DQNOptions> }> = {
  'CartPole-v1': { steps: 50_000, options: { learningRate: 2.3e-3, batchSize: 64, bufferSize: 100_000, learningStarts: 1000, gamma: 0.99, targetUpdateInterval: 10, trainFreq: 256, gradientSteps: 128, explorationFraction: 0.16, explorationFinalEps: 0.04, netArch: [256, 256] } },
  'MountainCar-v0': { steps: 120_000, options: { learningRate: 4e-3, batchSize: 128, bufferSize: 10_000, learningStarts: 1000, gamma: 0.98, targetUpdateInterval: 600, trainFreq: 16, gradientSteps: 8, explorationFraction: 0.2, explorationFinalEps: 0.07, netArch: [256, 256] } },
  'Acrobot-v1': { steps: 100_000, options: { learningRate: 6.3e-4, batchSize: 128, bufferSize: 50_000, learningStarts: 0, gamma: 0.99, targetUpdateInterval: 250, trainFreq: 4, gradientSteps: -1, explorationFraction: 0.12, explorationFinalEps: 0.1, netArch: [256, 256] } },
};

interface DQNState {
  rng: RngState;
  pool: EnvPoolState;
  numTimesteps: number;
  numUpdates: number;
  stepsSinceTrain: number;
  totalTimesteps: number;
  replayPos: number;
  replayFull: boolean;
  optimizerT: number;
  lastLoss: number;
}

export class DQN implements Agent {
  readonly algo = 'dqn';
  readonly options: DQNOptions;
  numTimesteps = 0;
  numUpdates = 0;
  readonly engine: ResolvedEngine;
  /** The online and target networks, their loss and optimizer (./q-net.ts). */
  readonly net: QNet;
  private readonly obsInfo: SpaceInfo;
  private readonly obsDim: number;
  private readonly nA: number;
  private readonly actStart: number;
  private readonly replay: TransitionBuffer;
  /** The minibatch buffers, reused by every gradient step. */
  private batch: TransitionBatch | null = null;
  private rng: Rng;
  private pool: EnvPool;
  private stepsSinceTrain = 0;
  private totalTimesteps = 0;
  private lastLoss = NaN;
  private epsilon: number;

  constructor(env: EnvSource, options: Partial<DQNOptions> = {}) {
    const o = (this.options = resolveOptions(this.algo, DQN_DEFAULTS, options));
    checkSchedule(o.learningRate, 'dqn: learningRate');
    const posInt = (k: keyof DQNOptions) => check(Number.isInteger(o[k]) && (o[k] as number) > 0, this.algo, `${k} must be a positive integer, got ${String(o[k])}`);
    (['bufferSize', 'batchSize', 'trainFreq', 'targetUpdateInterval'] as const).forEach(posInt);
    check(Number.isInteger(o.learningStarts) && o.learningStarts >= 0, this.algo, `learningStarts must be a non-negative integer, got ${o.learningStarts}`);
    check(o.gradientSteps === -1 || (Number.isInteger(o.gradientSteps) && o.gradientSteps > 0), this.algo, `gradientSteps must be a positive integer or -1, got ${o.gradientSteps}`);
    check(o.tau > 0 && o.tau <= 1, this.algo, `tau must be in (0, 1], got ${o.tau}`);
    check(o.gamma >= 0 && o.gamma <= 1, this.algo, `gamma must be in [0, 1], got ${o.gamma}`);
    check(o.explorationFraction > 0 && o.explorationFraction <= 1, this.algo, `explorationFraction must be in (0, 1], got ${o.explorationFraction}`);
    check(Array.isArray(o.netArch) && o.netArch.every((h) => Number.isInteger(h) && h > 0), this.algo, 'netArch must be a list of positive integers');
    const envs = makeEnvs(env, 1, this.algo);
    this.obsInfo = spaceInfo(envs[0]!.observationSpace, 'dqn: observation space');
    const act = spaceInfo(envs[0]!.actionSpace, 'dqn: action space');
    check(act.kind === 'discrete', this.algo, 'needs a Discrete action space (use PPO or A2C for continuous actions)');
    this.nA = (act as { n: number }).n;
    this.actStart = (act as { start: number }).start;
    this.obsDim = obsSize(this.obsInfo);
    this.engine = resolveEngine(o.engine, this.algo);
    const sizes = [this.obsDim, ...o.netArch, this.nA];
    // The target net starts as a copy of the online net.
    const init = initMlpWeights(sizes, new Rng(`dqn-init:${o.seed}`), 'torch');
    const config = { sizes, gamma: o.gamma, doubleQ: o.doubleQ, maxGradNorm: o.maxGradNorm };
    this.net = this.engine === 'onnxruntime' ? new OrtQNet(config, init, init) : new TfQNet(config, init, init);
    this.replay = new TransitionBuffer(o.bufferSize, this.obsDim);
    this.rng = new Rng(`dqn:${o.seed}`);
    this.pool = new EnvPool(envs, o.seed);
    this.epsilon = o.explorationInitialEps;
  }

  private encode(obs: unknown): Float32Array {
    const x = new Float32Array(this.obsDim);
    encodeObs(this.obsInfo, obs, x, 0);
    return x;
  }

  private greedy(x: Float32Array): number {
    const q = this.net.qValues(x, 1);
    let best = 0;
    for (let a = 1; a < this.nA; a++) if (q[a]! > q[best]!) best = a;
    return best;
  }

  /** One gradient step on a replay minibatch; returns the Huber loss. */
  private train(lr: number): number {
    this.batch = this.replay.sample(this.options.batchSize, this.rng, this.batch ?? undefined);
    const loss = this.net.train(this.batch, lr);
    this.numUpdates++;
    return loss;
  }

  async learn(totalTimesteps: number, cb: Callbacks = {}): Promise<this> {
    checkTotal(this.algo, totalTimesteps);
    this.totalTimesteps = totalTimesteps;
    const o = this.options;
    const next = new Float32Array(this.obsDim);
    while (this.numTimesteps < totalTimesteps) {
      const progress = this.numTimesteps / Math.max(1, totalTimesteps);
      this.epsilon = scheduleValue({ linear: [o.explorationInitialEps, o.explorationFinalEps], fraction: o.explorationFraction }, progress);
      const x = this.encode(this.pool.obs[0]);
      let a: number;
      if (this.numTimesteps < o.learningStarts || this.rng.next() < this.epsilon) a = this.rng.int(this.nA);
      else a = this.greedy(x);
      const ended = this.pool.step([a + this.actStart]);
      this.numTimesteps++;
      const fin = this.pool.finalObs[0];
      encodeObs(this.obsInfo, fin !== null ? fin : this.pool.obs[0], next, 0);
      this.replay.add(x, 0, a, this.pool.rewards[0]!, next, 0, this.pool.terminated[0] === 1);
      this.stepsSinceTrain++;
      const metrics: Record<string, number> = {};
      if (this.numTimesteps > o.learningStarts && this.numTimesteps % o.trainFreq === 0) {
        const lr = scheduleValue(o.learningRate, progress);
        const steps = o.gradientSteps === -1 ? this.stepsSinceTrain : o.gradientSteps;
        let total = 0;
        for (let g = 0; g < steps; g++) total += this.train(lr);
        this.stepsSinceTrain = 0;
        this.lastLoss = total / steps;
        metrics['losses/td_loss'] = this.lastLoss;
        metrics['learning_rate'] = lr;
      }
      if (this.numTimesteps % o.targetUpdateInterval === 0) this.net.updateTarget(o.tau);
      metrics['epsilon'] = this.epsilon;
      let go = cb.onStep?.(this.numTimesteps) !== false;
      for (const e of ended) {
        if (cb.onEpisodeEnd?.({ numTimesteps: this.numTimesteps, envIndex: 0, episodicReturn: e.episodicReturn, episodeLength: e.episodeLength }) === false) go = false;
      }
      if (cb.onIteration?.({ numTimesteps: this.numTimesteps, metrics }) === false) go = false;
      if (!go) break;
      if ((this.numTimesteps & 63) === 0) await maybeYield();
    }
    return this;
  }

  predict(obs: unknown, deterministic = true): number {
    if (!deterministic && this.rng.next() < this.epsilon) return this.rng.int(this.nA) + this.actStart;
    return this.greedy(this.encode(obs)) + this.actStart;
  }

  save(dir: string, extra?: Record<string, unknown>): void {
    const opt = this.net.getOptimizerState();
    const state: DQNState = {
      rng: this.rng.getState(),
      pool: this.pool.getState(),
      numTimesteps: this.numTimesteps,
      numUpdates: this.numUpdates,
      stepsSinceTrain: this.stepsSinceTrain,
      totalTimesteps: this.totalTimesteps,
      replayPos: this.replay.pos,
      replayFull: this.replay.full,
      optimizerT: opt.t,
      lastLoss: this.lastLoss,
    };
    const arrays: Record<string, NumArray> = { ...this.replay.toArrays() };
    this.net.readOnline().forEach((a, i) => (arrays[`q/${i}`] = a));
    this.net.readTarget().forEach((a, i) => (arrays[`qTarget/${i}`] = a));
    opt.slots.forEach((a, i) => (arrays[`optim/${i}`] = a));
    saveCheckpoint(dir, { format: 'tengen-agent', version: 1, algo: this.algo, numTimesteps: this.numTimesteps, options: this.options, state, ...(extra ? { extra } : {}) }, arrays);
  }

  static load(dir: string, env: EnvSource): DQN {
    const { meta, arrays } = loadCheckpoint(dir);
    if (meta.algo !== 'dqn') throw new Error(`${dir} holds a ${meta.algo} agent, not dqn`);
    const agent = new DQN(env, meta.options as DQNOptions);
    const st = meta.state as DQNState;
    const nt = 2 * (agent.options.netArch.length + 1);
    agent.net.writeOnline(Array.from({ length: nt }, (_, i) => need<Float32Array>(arrays, `q/${i}`)), 'dqn q network');
    agent.net.writeTarget(Array.from({ length: nt }, (_, i) => need<Float32Array>(arrays, `qTarget/${i}`)), 'dqn target network');
    agent.net.setOptimizerState({ t: st.optimizerT, slots: Array.from({ length: 2 * nt }, (_, i) => need<Float32Array>(arrays, `optim/${i}`)) });
    agent.replay.fromArrays(arrays, st.replayPos, st.replayFull);
    agent.rng.setState(st.rng);
    agent.pool.setState(st.pool);
    agent.numTimesteps = st.numTimesteps;
    agent.numUpdates = st.numUpdates;
    agent.stepsSinceTrain = st.stepsSinceTrain;
    agent.totalTimesteps = st.totalTimesteps;
    agent.lastLoss = st.lastLoss;
    return agent;
  }

  dispose(): void {
    this.net.dispose();
  }
}
