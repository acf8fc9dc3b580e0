/**
 * The Trainer's 'onnxruntime' engine: one training step of the policy-value model is one
 * onnxruntime call on the graph of src/nets/train/model-graph.ts (forward, AlphaGo Zero loss,
 * gradients of every weight into a flat buffer) and one SIMD pass of the optimizer (tf.train's SGD
 * momentum or Adam, src/nets/train/optimizer.ts). Batch norm's moving averages are updated from the
 * batch statistics the graph returns, as tfjs-layers does in training mode.
 *
 * The tfjs model stays the source of truth for everyone else (evaluation, export, saving): the new
 * weights are written back into its variables after each step, and if anything else wrote to the
 * model since (a warm start, a restored checkpoint) the weights are read from it again first.
 */
import { tf } from '../../nets/backend.ts';
import { Program, type OrtTensor } from '../../nets/train/ort.ts';
import { FlatOptimizer } from '../../nets/train/optimizer.ts';
import { ParamLayout } from '../../nets/train/layers.ts';
import { type ModelTrainGraph, policyValueTrainGraph } from '../../nets/train/model-graph.ts';
import type { OptimizerSlot, TrainerOptions } from './trainer.ts';

export interface StepLosses {
  loss: number;
  valueLoss: number;
  policyLoss: number;
  l2Loss: number;
  policyEntropy: number;
}

interface Compiled {
  program: Program;
  spec: ModelTrainGraph;
  feeds: Record<string, OrtTensor>;
  fetches: Record<string, OrtTensor>;
  stats: Record<keyof StepLosses, Float32Array>;
  bn: { mean: Float32Array; variance: Float32Array }[];
}

export class OrtTrainStep {
  private readonly layout: ParamLayout;
  private readonly optimizer: FlatOptimizer;
  private readonly trainable: tf.LayerVariable[];
  private readonly weights: tf.LayerVariable[];
  /** Moving means and variances of each batch-norm layer (model.weights order of the graph's layers). */
  private moving: { mean: Float32Array; variance: Float32Array }[] = [];
  /** Which data each model variable held after our last write-back (a different one: written by someone else). */
  private written: object[] = [];
  private readonly compiled = new Map<number, Compiled>();
  private readonly inputShape: number[];
  /** The graph's batch-norm layers (the same for every batch size). */
  private readonly batchNorm: ModelTrainGraph['batchNorm'];

  constructor(
    private readonly model: tf.LayersModel,
    private readonly opts: TrainerOptions,
  ) {
    this.inputShape = model.inputs[0]!.shape.slice(1) as number[];
    this.trainable = model.trainableWeights as tf.LayerVariable[];
    this.weights = model.weights as tf.LayerVariable[];
    this.layout = new ParamLayout(this.trainable.map((w) => w.shape.map((d) => d ?? 1)));
    this.optimizer = opts.optimizer === 'adam' ? new FlatOptimizer(this.layout.size, 'adam-tf') : new FlatOptimizer(this.layout.size, 'momentum', { momentum: opts.momentum });
    // Build the graph once now, so an unsupported model fails here (the Trainer then uses tfjs);
    // programs are compiled per batch size when first used.
    this.batchNorm = policyValueTrainGraph(model, 1, opts.l2).batchNorm;
    this.readModel();
  }

  private compile(n: number): Compiled {
    let c = this.compiled.get(n);
    if (c) return c;
    const spec = policyValueTrainGraph(this.model, n, this.opts.l2);
    const program = new Program(spec.graph.toOnnx());
    const feeds: Record<string, OrtTensor> = {};
    const fetches: Record<string, OrtTensor> = {};
    this.layout.views(this.optimizer.params).forEach((v, i) => (feeds[spec.params[i]!.input] = program.tensor(v, this.layout.shapes[i]!)));
    this.layout.views(this.optimizer.grads).forEach((v, i) => (fetches[`g${i}`] = program.tensor(v, this.layout.shapes[i]!)));
    const stats = { loss: new Float32Array(1), valueLoss: new Float32Array(1), policyLoss: new Float32Array(1), l2Loss: new Float32Array(1), policyEntropy: new Float32Array(1) };
    for (const k of Object.keys(stats) as (keyof StepLosses)[]) fetches[spec.outputs[k]] = program.tensor(stats[k], []);
    const bn = spec.batchNorm.map((b) => {
      const mean = new Float32Array(b.channels);
      const variance = new Float32Array(b.channels);
      fetches[b.mean] = program.tensor(mean, [1, b.channels]);
      fetches[b.variance] = program.tensor(variance, [1, b.channels]);
      return { mean, variance };
    });
    c = { program, spec, feeds, fetches, stats, bn };
    this.compiled.set(n, c);
    return c;
  }

  /** Take the weights (and batch-norm statistics) from the model. */
  private readModel(): void {
    this.layout.write(this.optimizer.params, this.trainable.map((w) => w.read().dataSync() as Float32Array), 'model');
    this.moving = this.batchNorm.map((b) => ({ mean: Float32Array.from(this.weights[b.meanWeight]!.read().dataSync()), variance: Float32Array.from(this.weights[b.varianceWeight]!.read().dataSync()) }));
    this.written = this.weights.map((w) => w.read().dataId);
  }

  private modelChanged(): boolean {
    return this.weights.some((w, i) => w.read().dataId !== this.written[i]);
  }

  /** Write the weights and moving statistics back into the model's variables. */
  private writeModel(): void {
    const views = this.layout.views(this.optimizer.params);
    tf.tidy(() => {
      this.trainable.forEach((w, i) => w.write(tf.tensor(views[i]!, this.layout.shapes[i]!)));
      this.batchNorm.forEach((b, i) => {
        this.weights[b.meanWeight]!.write(tf.tensor1d(this.moving[i]!.mean));
        this.weights[b.varianceWeight]!.write(tf.tensor1d(this.moving[i]!.variance));
      });
    });
    this.written = this.weights.map((w) => w.read().dataId);
  }

  step(b: { obs: Float32Array; pi: Float32Array; z: Float32Array; n: number }, lr: number): StepLosses {
    if (this.modelChanged()) this.readModel();
    const c = this.compile(b.n);
    const p = c.program;
    const A = b.pi.length / b.n;
    p.run({ ...c.feeds, planes: p.tensor(b.obs, [b.n, ...this.inputShape]), pi: p.tensor(b.pi, [b.n, A]), z: p.tensor(b.z, [b.n]) }, c.fetches);
    this.optimizer.step(lr);
    // tfjs-layers: moving -= (moving - batch statistic) * (1 - momentum)
    c.spec.batchNorm.forEach((s, i) => {
      const decay = 1 - s.momentum;
      const m = this.moving[i]!;
      const st = c.bn[i]!;
      for (let j = 0; j < s.channels; j++) {
        m.mean[j]! -= (m.mean[j]! - st.mean[j]!) * decay;
        m.variance[j]! -= (m.variance[j]! - st.variance[j]!) * decay;
      }
    });
    this.writeModel();
    return { loss: c.stats.loss[0]!, valueLoss: c.stats.valueLoss[0]!, policyLoss: c.stats.policyLoss[0]!, l2Loss: c.stats.l2Loss[0]!, policyEntropy: c.stats.policyEntropy[0]! };
  }

  /**
   * The optimizer's slots as tf.train's optimizers name and order them (getWeights): the iteration
   * count, then momentum accumulators (or Adam's first moments, then second moments) per trainable
   * weight, so checkpoints move between engines.
   */
  getState(): OptimizerSlot[] {
    const out: OptimizerSlot[] = [{ name: 'iter', shape: [], data: Float32Array.of(this.optimizer.t) }];
    const names = this.trainable.map((w) => (w as unknown as { val: tf.Variable }).val.name);
    const slots = this.layout.read(this.optimizer.m);
    if (this.optimizer.kind === 'momentum') slots.forEach((d, i) => out.push({ name: `${names[i]}/momentum`, shape: this.layout.shapes[i]!, data: d }));
    else {
      slots.forEach((d, i) => out.push({ name: `${names[i]}/m`, shape: this.layout.shapes[i]!, data: d }));
      this.layout.read(this.optimizer.v).forEach((d, i) => out.push({ name: `${names[i]}/v`, shape: this.layout.shapes[i]!, data: d }));
    }
    return out;
  }

  setState(state: OptimizerSlot[]): void {
    const n = this.layout.shapes.length;
    const want = 1 + (this.optimizer.kind === 'momentum' ? n : 2 * n);
    if (state.length !== want) throw new Error(`optimizer state has ${state.length} slots, this net and optimizer need ${want}`);
    this.optimizer.t = state[0]!.data[0]!;
    const slots = state.slice(1).map((s) => s.data);
    this.layout.write(this.optimizer.m, slots.slice(0, n), 'optimizer state');
    if (this.optimizer.kind !== 'momentum') this.layout.write(this.optimizer.v, slots.slice(n), 'optimizer state');
  }

  dispose(): void {
    for (const c of this.compiled.values()) c.program.dispose();
    this.compiled.clear();
  }
}
