/**
 * The 'onnxruntime' engine of the actor-critic (./actor-critic.ts). The weights live in one flat
 * Float32Array; each forward pass and each training step is one synchronous onnxruntime call on a
 * graph built once (src/nets/train/): the training graph computes both MLPs, the loss of
 * actor-critic.ts and its gradients straight into a flat gradient buffer, and the optimizer
 * (src/nets/train/optimizer.ts) updates the weights in one loop. Nothing is copied between calls:
 * onnxruntime reads the weight buffer and writes the gradient buffer (both the optimizer's) in place.
 */
import { Graph, type Val } from '../../nets/train/graph.ts';
import { grad } from '../../nets/train/autodiff.ts';
import { Program, type OrtTensor } from '../../nets/train/ort.ts';
import { FlatOptimizer } from '../../nets/train/optimizer.ts';
import { ParamLayout, mlpGraph, mlpShapes } from '../../nets/train/layers.ts';
import type { OptimizerState } from './optim.ts';
import { type ActorCriticNet, type ActorCriticShape, type LossSpec, type LossStats, type OptimizerSpec, type TrainBatch, LOG_2PI } from './actor-critic.ts';

const STATS = ['policy_loss', 'value_loss', 'entropy_loss', 'approx_kl', 'clip_fraction'] as const;

interface TrainProgram {
  program: Program;
  paramFeeds: Record<string, OrtTensor>;
  fetches: Record<string, OrtTensor>;
  stats: Float32Array[];
}

export class OrtActorCriticNet implements ActorCriticNet {
  readonly layout: ParamLayout;
  /** The weights, in checkpoint order, back to back. */
  readonly params: Float32Array;
  private readonly grads: Float32Array;
  private readonly views: Float32Array[];
  private readonly optimizer: FlatOptimizer;
  /** Tensor counts of the policy MLP, and of policy + value. */
  private readonly nPi: number;
  private readonly nPiVf: number;
  private readonly forwardPrograms = new Map<string, { program: Program; feeds: Record<string, OrtTensor> }>();
  private readonly trainPrograms = new Map<string, TrainProgram>();

  constructor(
    private readonly s: ActorCriticShape,
    init: Float32Array[],
    opt: OptimizerSpec,
  ) {
    const piShapes = mlpShapes([s.obsDim, ...s.netArch, s.actDim]);
    const vfShapes = mlpShapes([s.obsDim, ...s.netArch, 1]);
    this.nPi = piShapes.length;
    this.nPiVf = piShapes.length + vfShapes.length;
    this.layout = new ParamLayout([...piShapes, ...vfShapes, ...(s.continuous ? [[s.actDim]] : [])]);
    this.optimizer = new FlatOptimizer(this.layout.size, opt.kind, opt.kind === 'rmsprop' ? { beta2: opt.alpha, eps: opt.eps } : { eps: opt.eps });
    this.params = this.optimizer.params;
    this.grads = this.optimizer.grads;
    this.views = this.layout.views(this.params);
    this.writeAll(init, 'initial weights');
  }

  private paramInputs(g: Graph, from: number, to: number): Val[] {
    const out: Val[] = [];
    for (let i = from; i < to; i++) out.push(g.input(`p${i}`, this.layout.shapes[i]!));
    return out;
  }

  private paramFeeds(p: Program, from: number, to: number): Record<string, OrtTensor> {
    const feeds: Record<string, OrtTensor> = {};
    for (let i = from; i < to; i++) feeds[`p${i}`] = p.tensor(this.views[i]!, this.layout.shapes[i]!);
    return feeds;
  }

  /** 'pi' (policy outputs), 'vf' (values) or 'both', on a batch of any size. */
  private forwardProgram(which: 'pi' | 'vf' | 'both'): { program: Program; feeds: Record<string, OrtTensor> } {
    let hit = this.forwardPrograms.get(which);
    if (hit) return hit;
    const g = new Graph();
    const x = g.input('x', ['N', this.s.obsDim]);
    const [from, to] = which === 'pi' ? [0, this.nPi] : which === 'vf' ? [this.nPi, this.nPiVf] : [0, this.nPiVf];
    const P = this.paramInputs(g, from, to);
    if (which !== 'vf') g.output('out', mlpGraph(g, x, P.slice(0, this.nPi), this.s.activation));
    if (which !== 'pi') g.output('values', mlpGraph(g, x, which === 'vf' ? P : P.slice(this.nPi), this.s.activation));
    const program = new Program(g.toOnnx());
    hit = { program, feeds: this.paramFeeds(program, from, to) };
    this.forwardPrograms.set(which, hit);
    return hit;
  }

  forward(x: Float32Array, n: number, withValues: boolean): { out: Float32Array; values: Float32Array } {
    const { program, feeds } = this.forwardProgram(withValues ? 'both' : 'pi');
    const r = program.run({ ...feeds, x: program.tensor(x, [n, this.s.obsDim]) }, withValues ? { out: null, values: null } : { out: null });
    return { out: r['out']!.data as Float32Array, values: withValues ? (r['values']!.data as Float32Array) : new Float32Array(n) };
  }

  values(x: Float32Array, n: number): Float32Array {
    const { program, feeds } = this.forwardProgram('vf');
    return program.run({ ...feeds, x: program.tensor(x, [n, this.s.obsDim]) }, { values: null })['values']!.data as Float32Array;
  }

  logStd(): Float32Array {
    return this.s.continuous ? this.views[this.nPiVf]! : new Float32Array(0);
  }

  /** The graph of one training step for this loss: gradients of every weight, and the loss parts. */
  private buildTrainGraph(loss: LossSpec): Graph {
    const s = this.s;
    const g = new Graph();
    const x = g.input('x', ['N', s.obsDim]);
    const P = this.paramInputs(g, 0, this.layout.shapes.length);
    const out = mlpGraph(g, x, P.slice(0, this.nPi), s.activation);
    const values = g.reshape(mlpGraph(g, x, P.slice(this.nPi, this.nPiVf), s.activation), [-1], ['N']);
    let logProb: Val;
    let entLoss: Val;
    if (s.continuous) {
      const logStd = P[this.nPiVf]!;
      const a = g.input('act', ['N', s.actDim]);
      const z = g.div(g.sub(a, out), g.exp(logStd));
      logProb = g.reduceSum(g.sub(g.mul(g.mul(z, z), -0.5), g.add(logStd, 0.5 * LOG_2PI)), [1]);
      // Every row has the same entropy, sum(logStd) + d (1 + log 2 pi) / 2.
      entLoss = g.neg(g.reduceSum(g.add(logStd, 0.5 + 0.5 * LOG_2PI)));
    } else {
      const mask = g.input('mask', ['N', s.actDim]);
      const logp = g.logSoftmax(out);
      logProb = g.reduceSum(g.mul(logp, mask), [1]);
      entLoss = g.neg(g.reduceMean(g.neg(g.reduceSum(g.mul(g.exp(logp), logp), [1]))));
    }
    const adv = g.input('adv', ['N']);
    const ret = g.input('ret', ['N']);
    let pgLoss: Val;
    let vPred = values;
    const extra: Val[] = [];
    if (loss.kind === 'ppo') {
      const oldLogp = g.input('old_logp', ['N']);
      const oldV = g.input('old_v', ['N']);
      const clip = g.input('clip', []);
      const logRatio = g.sub(logProb, oldLogp);
      const ratio = g.exp(logRatio);
      pgLoss = g.neg(g.reduceMean(g.min(g.mul(adv, ratio), g.mul(adv, g.clip(ratio, g.sub(1, clip), g.add(1, clip))))));
      if (loss.clipVf > 0) vPred = g.add(oldV, g.clip(g.sub(values, oldV), -loss.clipVf, loss.clipVf));
      extra.push(g.reduceMean(g.sub(g.sub(ratio, 1), logRatio)), g.reduceMean(g.cast(g.greater(g.abs(g.sub(ratio, 1)), clip), 'float32')));
    } else {
      pgLoss = g.neg(g.reduceMean(g.mul(adv, logProb)));
    }
    const d = g.sub(ret, vPred);
    const vfLoss = g.reduceMean(g.mul(d, d));
    // An entropy coefficient of 0 adds exactly 0: the term is left out of the gradient.
    const total = g.add(loss.entCoef !== 0 ? g.add(pgLoss, g.mul(entLoss, loss.entCoef)) : pgLoss, g.mul(vfLoss, loss.vfCoef));
    grad(g, total, P).forEach((d, i) => g.output(`g${i}`, d));
    [pgLoss, vfLoss, entLoss, ...extra].forEach((v, i) => g.output(STATS[i]!, v));
    return g;
  }

  private trainProgram(loss: LossSpec): TrainProgram {
    const key = loss.kind === 'ppo' ? `ppo:${loss.entCoef}:${loss.vfCoef}:${loss.clipVf}` : `pg:${loss.entCoef}:${loss.vfCoef}`;
    let hit = this.trainPrograms.get(key);
    if (hit) return hit;
    const program = new Program(this.buildTrainGraph(loss).toOnnx());
    const fetches: Record<string, OrtTensor> = {};
    this.layout.views(this.grads).forEach((v, i) => (fetches[`g${i}`] = program.tensor(v, this.layout.shapes[i]!)));
    const stats = STATS.slice(0, loss.kind === 'ppo' ? 5 : 3).map(() => new Float32Array(1));
    stats.forEach((buf, i) => (fetches[STATS[i]!] = program.tensor(buf, [])));
    hit = { program, paramFeeds: this.paramFeeds(program, 0, this.layout.shapes.length), fetches, stats };
    this.trainPrograms.set(key, hit);
    return hit;
  }

  train(b: TrainBatch, loss: LossSpec, lr: number, maxGradNorm: number): LossStats {
    const { n } = b;
    const A = this.s.actDim;
    const tp = this.trainProgram(loss);
    const p = tp.program;
    const feeds: Record<string, OrtTensor> = { ...tp.paramFeeds, x: p.tensor(b.x, [n, this.s.obsDim]), adv: p.tensor(b.advantages, [n]), ret: p.tensor(b.returns, [n]) };
    if (this.s.continuous) feeds['act'] = p.tensor(b.actions, [n, A]);
    else {
      const mask = new Float32Array(n * A);
      for (let i = 0; i < n; i++) mask[i * A + b.actions[i]!] = 1;
      feeds['mask'] = p.tensor(mask, [n, A]);
    }
    if (loss.kind === 'ppo') {
      feeds['old_logp'] = p.tensor(b.oldLogProbs!, [n]);
      feeds['old_v'] = p.tensor(b.oldValues!, [n]);
      feeds['clip'] = p.tensor(Float32Array.of(loss.clip), []);
    }
    p.run(feeds, tp.fetches);
    this.optimizer.step(lr, maxGradNorm);
    const v = tp.stats.map((s) => s[0]!);
    return { policyLoss: v[0]!, valueLoss: v[1]!, entropyLoss: v[2]!, approxKl: v[3] ?? NaN, clipFraction: v[4] ?? NaN };
  }

  readAll(): Float32Array[] {
    return this.layout.read(this.params);
  }

  writeAll(values: Float32Array[], what: string): void {
    this.layout.write(this.params, values, what);
  }

  getOptimizerState(): OptimizerState {
    return this.optimizer.getState(this.layout);
  }

  setOptimizerState(st: OptimizerState): void {
    this.optimizer.setState(this.layout, st);
  }

  dispose(): void {
    for (const { program } of this.forwardPrograms.values()) program.dispose();
    for (const { program } of this.trainPrograms.values()) program.dispose();
    this.forwardPrograms.clear();
    this.trainPrograms.clear();
  }
}
