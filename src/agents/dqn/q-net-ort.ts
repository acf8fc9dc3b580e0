/**
 * DQN's 'onnxruntime' engine (see ./q-net.ts for the loss). Online and target weights live in two
 * flat Float32Arrays of one layout; a training step is one synchronous onnxruntime call on a
 * graph that runs the target net on s', the online net on s, the Huber TD loss and its gradient
 * straight into a flat gradient buffer, then one loop of Adam (src/nets/train/optimizer.ts). The
 * greedy action's Q values are one more call on a forward-only graph.
 */
import { Graph } from '../../nets/train/graph.ts';
import { grad } from '../../nets/train/autodiff.ts';
import { Program, type OrtTensor } from '../../nets/train/ort.ts';
import { FlatOptimizer } from '../../nets/train/optimizer.ts';
import { ParamLayout, mlpGraph, mlpShapes } from '../../nets/train/layers.ts';
import type { OptimizerState } from '../common/optim.ts';
import type { TransitionBatch } from './transition-buffer.ts';
import type { QNet, QNetConfig } from './q-net.ts';

export class OrtQNet implements QNet {
  readonly layout: ParamLayout;
  readonly online: Float32Array;
  readonly target: Float32Array;
  private readonly grads: Float32Array;
  private readonly onlineViews: Float32Array[];
  private readonly optimizer: FlatOptimizer;
  private readonly forward: { program: Program; feeds: Record<string, OrtTensor>; one: { x: Float32Array; q: Float32Array; feeds: Record<string, OrtTensor>; fetches: Record<string, OrtTensor> } };
  private trainer: { program: Program; feeds: Record<string, OrtTensor>; fetches: Record<string, OrtTensor>; loss: Float32Array; batch: number; mask: Float32Array; wrapped: TransitionBatch | null } | null = null;
  private readonly obsDim: number;
  private readonly nA: number;

  constructor(
    private readonly c: QNetConfig,
    online: Float32Array[],
    target: Float32Array[],
  ) {
    this.layout = new ParamLayout(mlpShapes(c.sizes));
    this.optimizer = new FlatOptimizer(this.layout.size, 'adam');
    this.online = this.optimizer.params;
    this.grads = this.optimizer.grads;
    this.target = new Float32Array(this.layout.size);
    this.onlineViews = this.layout.views(this.online);
    this.writeOnline(online, 'initial weights');
    this.writeTarget(target, 'initial weights');
    this.obsDim = c.sizes[0]!;
    this.nA = c.sizes[c.sizes.length - 1]!;
    const g = new Graph();
    const x = g.input('x', ['N', this.obsDim]);
    g.output('q', mlpGraph(g, x, this.layout.shapes.map((s, i) => g.input(`p${i}`, s)), 'relu'));
    const program = new Program(g.toOnnx());
    const feeds = this.feedsFor(program, 'p', this.onlineViews);
    const x1 = new Float32Array(this.obsDim);
    const q1 = new Float32Array(this.nA);
    const one = { x: x1, q: q1, feeds: { ...feeds, x: program.tensor(x1, [1, this.obsDim]) }, fetches: { q: program.tensor(q1, [1, this.nA]) } };
    this.forward = { program, feeds, one };
  }

  private feedsFor(p: Program, prefix: string, views: Float32Array[]): Record<string, OrtTensor> {
    const feeds: Record<string, OrtTensor> = {};
    views.forEach((v, i) => (feeds[`${prefix}${i}`] = p.tensor(v, this.layout.shapes[i]!)));
    return feeds;
  }

  qValues(x: Float32Array, n: number): Float32Array {
    const { program, feeds, one } = this.forward;
    if (n === 1) {
      // The greedy action, every environment step: reuse one input and one output buffer.
      one.x.set(x.subarray(0, this.obsDim));
      program.run(one.feeds, one.fetches);
      return one.q.slice();
    }
    return program.run({ ...feeds, x: program.tensor(x, [n, this.obsDim]) }, { q: null })['q']!.data as Float32Array;
  }

  /** The training step's graph for minibatches of `B`. */
  private buildTrainer(B: number): NonNullable<OrtQNet['trainer']> {
    const { obsDim: D, nA } = this;
    const g = new Graph();
    const obs = g.input('obs', [B, D]);
    const next = g.input('next_obs', [B, D]);
    const mask = g.input('mask', [B, nA]);
    const rewards = g.input('rewards', [B]);
    const dones = g.input('dones', [B]);
    const P = this.layout.shapes.map((s, i) => g.input(`p${i}`, s));
    const T = this.layout.shapes.map((s, i) => g.input(`t${i}`, s));
    const qNextT = mlpGraph(g, next, T, 'relu');
    const nextQ = this.c.doubleQ ? g.reshape(g.gatherElements(qNextT, g.argMax(mlpGraph(g, next, P, 'relu'), 1), 1), [-1]) : g.reduceMax(qNextT, [1]);
    const y = g.stopGradient(g.add(rewards, g.mul(g.mul(g.sub(1, dones), this.c.gamma), nextQ)));
    const qa = g.reduceSum(g.mul(mlpGraph(g, obs, P, 'relu'), mask), [1]);
    // Huber (smooth L1, delta 1) = 0.5 c^2 + (|d| - c) with c = min(|d|, 1).
    const d = g.abs(g.sub(qa, y));
    const c = g.min(d, 1);
    const loss = g.reduceMean(g.add(g.mul(g.mul(c, c), 0.5), g.sub(d, c)));
    g.output('loss', loss);
    grad(g, loss, P).forEach((v, i) => g.output(`g${i}`, v));
    const program = new Program(g.toOnnx());
    const lossBuf = new Float32Array(1);
    const fetches: Record<string, OrtTensor> = { loss: program.tensor(lossBuf, []) };
    this.layout.views(this.grads).forEach((v, i) => (fetches[`g${i}`] = program.tensor(v, this.layout.shapes[i]!)));
    const feeds = { ...this.feedsFor(program, 'p', this.onlineViews), ...this.feedsFor(program, 't', this.layout.views(this.target)) };
    return { program, feeds, fetches, loss: lossBuf, batch: B, mask: new Float32Array(B * nA), wrapped: null };
  }

  train(b: TransitionBatch, lr: number): number {
    const B = b.rewards.length;
    if (this.trainer?.batch !== B) {
      this.trainer?.program.dispose();
      this.trainer = this.buildTrainer(B);
    }
    const t = this.trainer;
    const p = t.program;
    t.mask.fill(0);
    for (let i = 0; i < B; i++) t.mask[i * this.nA + b.actions[i]!] = 1;
    // The agent refills the same minibatch buffers every step: wrap them once.
    if (t.wrapped !== b) {
      Object.assign(t.feeds, {
        obs: p.tensor(b.obs, [B, this.obsDim]),
        next_obs: p.tensor(b.nextObs, [B, this.obsDim]),
        mask: p.tensor(t.mask, [B, this.nA]),
        rewards: p.tensor(b.rewards, [B]),
        dones: p.tensor(b.dones, [B]),
      });
      t.wrapped = b;
    }
    p.run(t.feeds, t.fetches);
    this.optimizer.step(lr, this.c.maxGradNorm);
    return t.loss[0]!;
  }

  updateTarget(tau: number): void {
    if (tau >= 1) {
      this.target.set(this.online);
      return;
    }
    const { online, target } = this;
    for (let i = 0; i < target.length; i++) target[i] = online[i]! * tau + target[i]! * (1 - tau);
  }

  readOnline(): Float32Array[] {
    return this.layout.read(this.online);
  }
  readTarget(): Float32Array[] {
    return this.layout.read(this.target);
  }
  writeOnline(values: Float32Array[], what: string): void {
    this.layout.write(this.online, values, what);
  }
  writeTarget(values: Float32Array[], what: string): void {
    this.layout.write(this.target, values, what);
  }
  getOptimizerState(): OptimizerState {
    return this.optimizer.getState(this.layout);
  }
  setOptimizerState(st: OptimizerState): void {
    this.optimizer.setState(this.layout, st);
  }

  dispose(): void {
    this.forward.program.dispose();
    this.trainer?.program.dispose();
    this.trainer = null;
  }
}
